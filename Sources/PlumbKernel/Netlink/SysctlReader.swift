import Glibc
import PlumbSystem
import PlumbModel

/// The forwarding sysctls netconf does not carry. /proc/sys/net shows the namespace of the *reading thread*,
/// so this runs on a thread inside the namespace.
///
/// Each /proc/sys/net path component has one dentry per namespace under the same name, so a lookup costs
/// O(namespaces): with 500 namespaces, plain path reads here cost more than all the netlink dumps together.
/// Hence: ip_forward and rp_filter come from netconf, directories are opened once and files read relative to
/// them, and bridge-nf-call-* is read only where a bridge exists (the only place it has any effect).
enum SysctlReader {
    static func fill(_ s: inout Sysctls, hasBridge: Bool, routeLocalnet: Bool = true) {
        func flag(_ dirfd: Int32, _ p: String) -> Bool? { FileReader.readInt(p, dirfd: dirfd).map { $0 != 0 } }
        // Without route_localnet, the directory is opened only for what netconf did not say.
        let needConf = routeLocalnet || s.rpFilterAll == nil || s.rpFilterDefault == nil || s.ipForward == nil
        if needConf, let dir = FileDescriptor.openIfPresent("/proc/sys/net/ipv4/conf", O_RDONLY | O_DIRECTORY) {
            let conf = dir.rawValue
            if routeLocalnet {
                s.routeLocalnetAll = flag(conf, "all/route_localnet")
                s.routeLocalnetDefault = flag(conf, "default/route_localnet")
            }
            if s.rpFilterAll == nil { s.rpFilterAll = FileReader.readInt("all/rp_filter", dirfd: conf) }
            if s.rpFilterDefault == nil { s.rpFilterDefault = FileReader.readInt("default/rp_filter", dirfd: conf) }
            if s.ipForward == nil { s.ipForward = flag(conf, "all/forwarding") }
        }
        if s.ipv6Forwarding == nil { s.ipv6Forwarding = flag(AT_FDCWD, "/proc/sys/net/ipv6/conf/all/forwarding") }
        if hasBridge {
            // Per namespace since Linux 5.3; absent when br_netfilter is not active.
            if let br = FileDescriptor.openIfPresent("/proc/sys/net/bridge", O_RDONLY | O_DIRECTORY) {
                s.bridgeNfCallIptables = flag(br.rawValue, "bridge-nf-call-iptables")
                s.bridgeNfCallIp6tables = flag(br.rawValue, "bridge-nf-call-ip6tables")
            }
        }
    }

    /// Completes sysctls read from netconf with ones read from files by `fill(_:hasBridge: true)` on an empty
    /// value (on another thread, before it was known whether a bridge exists): netconf's values win.
    static func merge(_ s: inout Sysctls, files f: Sysctls, hasBridge: Bool) {
        s.routeLocalnetAll = f.routeLocalnetAll
        s.routeLocalnetDefault = f.routeLocalnetDefault
        s.rpFilterAll = s.rpFilterAll ?? f.rpFilterAll
        s.rpFilterDefault = s.rpFilterDefault ?? f.rpFilterDefault
        s.ipForward = s.ipForward ?? f.ipForward
        s.ipv6Forwarding = s.ipv6Forwarding ?? f.ipv6Forwarding
        if hasBridge {
            s.bridgeNfCallIptables = f.bridgeNfCallIptables
            s.bridgeNfCallIp6tables = f.bridgeNfCallIp6tables
        }
    }
}
