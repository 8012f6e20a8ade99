import PlumbModel

/// The forwarding sysctls netconf does not carry. /proc/sys/net shows the namespace of the *reading thread*,
/// so this runs on a thread inside the namespace.
enum SysctlReader {
    static func fill(_ s: inout Sysctls) {
        func flag(_ p: String) -> Bool? { FileReader.readInt("/proc/sys/net/" + p).map { $0 != 0 } }
        if s.ipForward == nil { s.ipForward = flag("ipv4/ip_forward") }
        if s.ipv6Forwarding == nil { s.ipv6Forwarding = flag("ipv6/conf/all/forwarding") }
        if s.rpFilterAll == nil { s.rpFilterAll = FileReader.readInt("/proc/sys/net/ipv4/conf/all/rp_filter") }
        if s.rpFilterDefault == nil {
            s.rpFilterDefault = FileReader.readInt("/proc/sys/net/ipv4/conf/default/rp_filter")
        }
        s.routeLocalnetAll = flag("ipv4/conf/all/route_localnet")
        s.routeLocalnetDefault = flag("ipv4/conf/default/route_localnet")
        // Per-namespace since Linux 5.3; absent when br_netfilter is not active.
        s.bridgeNfCallIptables = flag("bridge/bridge-nf-call-iptables")
        s.bridgeNfCallIp6tables = flag("bridge/bridge-nf-call-ip6tables")
    }
}
