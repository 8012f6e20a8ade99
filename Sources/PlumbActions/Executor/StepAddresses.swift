import PlumbModel

/// The addresses the overlay's plan steps (neighbours, forwarding entries) still name as text, parsed once by
/// the model's strict parser before the step reaches the netlink session, which takes them as values (family +
/// bytes + prefix length in C). A step whose text is not an address fails with the model's reason and changes
/// nothing.
struct StepAddresses {
    let step: PlanStep

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
