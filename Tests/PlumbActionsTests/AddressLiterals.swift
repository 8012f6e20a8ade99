import PlumbModel
@testable import PlumbActions

// Addresses and subnets the tests write as text; one that does not parse is a typo in the test, which traps at
// once. (The product has no such shortcut: its text is parsed where it comes in.)
func ip(_ text: String) -> IPAddress {
    guard let a = IPAddress(text) else { preconditionFailure("test address '\(text)' is not an IP address") }
    return a
}

func prefix(_ text: String) -> IPPrefix {
    guard let p = IPPrefix(text) else { preconditionFailure("test prefix '\(text)' is not a prefix") }
    return p
}

/// The IPAM calls in the text the allocation tests compare ("10.213.0.2"); the store takes and returns values.
extension StateStore {
    func allocateText(network: String, requested: String?, sandbox: String?, family: IPAddress.Family? = nil) throws -> String {
        try allocate(network: network, requested: requested.map(ip), sandbox: sandbox, family: family).description
    }

    @discardableResult
    func releaseText(network: String, address: String) throws -> Bool { try release(network: network, address: ip(address)) }

    func allocationTexts(network: String) throws -> [(address: String, sandbox: String?)] {
        try allocations(network: network).map { ($0.address.description, $0.sandbox) }
    }
}
