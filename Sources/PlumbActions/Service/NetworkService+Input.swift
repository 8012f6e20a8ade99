import PlumbModel

/// The address options of `net create` arrive as text (the command line, a CNI config);
/// they are parsed here, once, into the requests' values. Each refusal is the one the service gave when it
/// parsed them itself, so the message and exit code of bad input are unchanged.
extension NetworkService.CreateRequest {
    /// Sets the address fields from their text. `--remote` and `--local` mean something to the vxlan driver
    /// only, and other drivers ignore them, as they always did.
    public mutating func parseAddresses(subnet: String?, gateway: String?, subnet6: String? = nil, gateway6: String? = nil,
                                        ipRange: String?, remote: String? = nil, local: String? = nil) throws {
        self.subnet = try subnet.map(Self.parseSubnet)
        self.subnet6 = try subnet6.map(Self.parseSubnet)
        self.gateway = try gateway.map { try IPAddress.parse($0) }
        self.gateway6 = try gateway6.map { try IPAddress.parse($0) }
        self.ipRange = try ipRange.map { try IPPrefix.parse($0) }
        guard driver == NetworkDriver.vxlan.rawValue else { return }
        self.remote = try remote.map { try Self.parseUnderlay($0, option: "remote") }
        self.local = try local.map { try Self.parseUnderlay($0, option: "local") }
    }

    /// A subnet as given: ADDRESS/LENGTH with no host bits set ("10.213.0.5/24" suggests 10.213.0.0/24).
    static func parseSubnet(_ text: String) throws -> IPPrefix { try IPPrefix.parse(text, requireNetworkAddress: true) }

    /// A VXLAN underlay address (`--remote`, `--local`).
    static func parseUnderlay(_ text: String, option: String) throws -> IPAddress {
        do { return try IPAddress.parse(text) } catch { throw ActionError.invalid("invalid --\(option) \(text): \(error)") }
    }
}
