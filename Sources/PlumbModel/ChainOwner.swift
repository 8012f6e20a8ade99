/// Which tool made a firewall chain, judged by the name prefix each tool uses, so chains can be grouped and
/// attributed (Docker's DOCKER*, CNI plugins' CNI-*, Podman's netavark NETAVARK*, kube-proxy's KUBE-*, our own
/// PLUMB-*); anything else counts as the system's own (built-in chains and admins' chains). Prefixes match
/// regardless of ASCII case, as nft-made chains are sometimes lowercase.
public enum ChainOwner: String, Sendable, CaseIterable {
    case docker, cni, podman, plumb, kubernetes, system

    static let prefixes: [(String, ChainOwner)] = [
        ("DOCKER", .docker), ("CNI-", .cni), ("NETAVARK", .podman), ("PLUMB-", .plumb), ("KUBE-", .kubernetes),
    ]

    public static func of(chain: String) -> ChainOwner {
        for (prefix, owner) in prefixes where hasPrefixIgnoringCase(chain, prefix) { return owner }
        return .system
    }

    /// `upper` is an uppercase ASCII prefix.
    static func hasPrefixIgnoringCase(_ s: String, _ upper: String) -> Bool {
        var it = s.utf8.makeIterator()
        for u in upper.utf8 {
            guard let c = it.next() else { return false }
            let folded = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") ? c - 32 : c
            if folded != u { return false }
        }
        return true
    }
}
