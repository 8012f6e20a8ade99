import PlumbModel

/// The addresses a plan step names, parsed once by the model's strict parser before the step reaches the
/// netlink session, which takes them as values (family + bytes + prefix length in C). A step whose text is
/// not an address fails with the model's reason and changes nothing.
struct StepAddresses {
    let step: PlanStep

    /// "10.0.0.2/24", or a bare address as its single-address prefix (how host routes are written).
    func prefix(_ text: String) throws -> IPPrefix {
        if let p = IPPrefix(addressOrPrefix: text) { return p }
        throw ActionError.netlink(step: step.description, message: reason(text))
    }

    /// A route destination: nil for "default".
    func destination(_ text: String) throws -> IPPrefix? {
        text == "default" ? nil : try prefix(text)
    }

    /// An optional address (a gateway, a VXLAN endpoint): nil when absent or empty.
    func address(_ text: String?) throws -> IPAddress? {
        guard let text, !text.isEmpty else { return nil }
        if let a = IPAddress(text) { return a }
        throw ActionError.netlink(step: step.description, message: reason(text))
    }

    /// A MAC address ("02:50:0a:d5:01:02").
    func mac(_ text: String) throws -> HardwareAddress {
        if let m = HardwareAddress(text) { return m }
        throw ActionError.netlink(step: step.description, message: "'\(text)' is not a MAC address")
    }

    private func reason(_ text: String) -> String {
        do {
            if text.contains("/") { _ = try IPPrefix.parse(text) } else { _ = try IPAddress.parse(text) }
        } catch {
            return "\(error)"
        }
        return "'\(text)' is not an IP address"
    }
}
