import Glibc
import CNetlink
import PlumbModel

/// Reads the firewall of the calling thread's network namespace.
///
/// iptables here is the nf_tables backend, and `nft -j` shows iptables-made matches only as opaque `xt`
/// entries, so iptables-managed tables are read with `iptables-save -c` / `ip6tables-save -c` and native
/// nftables tables with `nft -j list ruleset`. A cheap nf_tables table listing over netlink comes first: a
/// namespace with no tables (most container namespaces) costs no process at all.
public struct FirewallReader: Sendable {
    public var iptablesSave: String?
    public var ip6tablesSave: String?
    public var nft: String?

    public init() {
        iptablesSave = CommandRunner.which("iptables-save")
        ip6tablesSave = CommandRunner.which("ip6tables-save")
        nft = CommandRunner.which("nft")
    }

    /// Table names known to iptables; anything else in nf_tables was made by nft itself (or another tool).
    static let iptablesTableNames: Set<String> = ["filter", "nat", "mangle", "raw", "security"]

    /// What the netlink probe found: which readers have anything to read.
    struct Probe: Equatable {
        var ipv4 = false
        var ipv6 = false
        var nativeNft = false
    }

    /// Lists nf_tables tables (NFPROTO family numbers) plus legacy x_tables, from inside the namespace.
    static func probe() -> Probe {
        var p = Probe()
        if let sock = try? NetlinkSocket(protocol: NETLINK_NETFILTER) {
            var buf = [CChar](repeating: 0, count: 1 << 16)
            let n = plumb_nft_list_tables(sock.sk, &buf, buf.count)
            if n > 0 {
                let text = String(cBuffer: buf)
                for line in text.split(separator: "\n") {
                    let parts = line.split(separator: " ", maxSplits: 1)
                    guard parts.count == 2, let fam = Int(parts[0]) else { continue }
                    let standard = iptablesTableNames.contains(String(parts[1]))
                    switch fam {
                    case 2 where standard: p.ipv4 = true   // NFPROTO_IPV4
                    case 10 where standard: p.ipv6 = true  // NFPROTO_IPV6
                    default: p.nativeNft = true
                    }
                }
            } else if n < 0 {
                // Probe failed: do not guess, read everything.
                return Probe(ipv4: true, ipv6: true, nativeNft: true)
            }
        }
        // Legacy iptables keeps its tables outside nf_tables; these files list them per namespace. thread-self:
        // /proc/net is the namespace of the process's main thread, not of this worker thread that entered one.
        if let s = FileReader.readString("/proc/thread-self/net/ip_tables_names"), !s.isEmpty { p.ipv4 = true }
        if let s = FileReader.readString("/proc/thread-self/net/ip6_tables_names"), !s.isEmpty { p.ipv6 = true }
        return p
    }

    /// The families ("ipv4", "ipv6") that have iptables tables in the calling thread's namespace (nf_tables or
    /// legacy), from the probe alone: for any other family iptables-save prints nothing, so it need not run.
    public static func iptablesFamilies() -> Set<String> {
        let p = probe()
        return Set((p.ipv4 ? ["ipv4"] : []) + (p.ipv6 ? ["ipv6"] : []))
    }

    /// Must run on a thread that is inside the namespace.
    public func read() -> Firewall {
        var fw = Firewall()
        let p = Self.probe()
        if p.ipv4 { readIptables(iptablesSave, tool: "iptables-save", family: "ipv4", into: &fw) }
        if p.ipv6 { readIptables(ip6tablesSave, tool: "ip6tables-save", family: "ipv6", into: &fw) }
        if p.nativeNft {
            if let nft {
                do {
                    let out = try CommandRunner.run(nft, ["-j", "list", "ruleset"])
                    if out.status != 0 {
                        fw.notes.append("nft -j list ruleset exited \(out.status): \(out.stderrText)")
                    } else {
                        fw.tables += try NftJsonParser.parse(out.stdout, skipIptablesManaged: true)
                    }
                } catch {
                    fw.notes.append("nft: \(error)")
                }
            } else {
                fw.notes.append("nftables tables exist but nft is not installed (apt install nftables)")
            }
        }
        return fw
    }

    private func readIptables(_ path: String?, tool: String, family: String, into fw: inout Firewall) {
        guard let path else {
            fw.notes.append("\(tool) not installed: \(family) rules not shown (apt install iptables)")
            return
        }
        do {
            // Parsed while the tool writes: with 20,000 rules the parse overlaps the tool's own run.
            var stream = IptablesSaveStream(family: family)
            let out = try CommandRunner.run(path, ["-c"], stdout: { stream.feed($0) })
            if out.status != 0 {
                fw.notes.append("\(tool) -c exited \(out.status): \(out.stderrText)")
                return
            }
            fw.tables += try stream.finish()
        } catch {
            fw.notes.append("\(tool): \(error)")
        }
    }
}
