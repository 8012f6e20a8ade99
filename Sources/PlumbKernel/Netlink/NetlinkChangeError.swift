import CNetlink

/// A refused netlink change: libnl's error code and, when the kernel said more (extended ACK), its own words,
/// e.g. "Nexthop has invalid gateway".
public struct NetlinkChangeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// libnl's error code (NLE_*, positive).
    public let code: Int32
    /// The kernel's extended ACK text, when it sent one.
    public let kernelMessage: String?

    init(libnlError err: Int32, kernelMessage: String?) {
        code = abs(err)
        self.kernelMessage = kernelMessage.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// libnl's text for the code ("Object not found").
    public var libnlMessage: String { String(cString: nl_geterror(-code)) }

    /// The link named in the change does not exist.
    public var isMissingLink: Bool { code == NLE_NODEV || code == NLE_OBJ_NOTFOUND }

    /// What the change removes or refers to is already gone (a link, an address, a route).
    public var isMissing: Bool { isMissingLink || code == NLE_NOADDR || code == NLE_NOATTR }

    public var description: String {
        kernelMessage.map { "\(libnlMessage): \($0)" } ?? libnlMessage
    }
}
