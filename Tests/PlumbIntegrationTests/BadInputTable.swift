import Foundation
import ArgumentParser
import PlumbCLI

/// Every command × its malformed inputs, with the exit code each must give and a piece of the one line it must
/// print (the bad value, or what is missing). `BadInputTableTests` runs the rows against the real binary;
/// `CommandCoverageTests` checks that every command of the argument-parser tree has rows, so a new command
/// must add its own here.
struct BadInputRow: CustomStringConvertible, Sendable {
    var args: [String]
    /// Append `--state-dir` and `--host-ns` (the commands that change the kernel, and doctor).
    var change: Bool
    /// With `change`: append `--state-dir` only (a command without --host-ns).
    var stateDirOnly = false
    var code: Int32
    /// Text the stderr line must contain.
    var mentions: String
    var description: String { "plumb \(args.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " "))" }
}

/// The objects the rows name: a network `ok` (bridge `bridge`, subnet 10.213.150.0/24) in the stand-in host
/// namespace, with `connected` attached at 10.213.150.7 publishing port 18150; `free` and `other` attached to
/// nothing; `junkFile` holds text that is neither JSON nor a snapshot.
struct BadInputContext {
    var host = "pt-x-h", connected = "pt-x-a", free = "pt-x-b", other = "pt-x-c"
    var network = "ptok", bridge = "ptxok"
    var junkFile = "/tmp/pt-junk", emptyConfig = "/tmp/pt-empty"
    static let missingNamespace = "pt-no-such-ns"
}

enum BadInputTable {
    static let huge = "9223372036854775807"       // Int.max: any arithmetic on it traps
    static let tooBig = "99999999999999999999"    // does not fit an Int at all

    static func rows(_ x: BadInputContext) -> [BadInputRow] {
        var rows: [BadInputRow] = []
        func change(_ code: Int32, _ mentions: String, _ args: String...) { rows.append(.init(args: args, change: true, code: code, mentions: mentions)) }
        func stateOnly(_ code: Int32, _ mentions: String, _ args: String...) {
            rows.append(.init(args: args, change: true, stateDirOnly: true, code: code, mentions: mentions))
        }
        func plain(_ code: Int32, _ mentions: String, _ args: String...) { rows.append(.init(args: args, change: false, code: code, mentions: mentions)) }
        let missing = BadInputContext.missingNamespace
        let (bad, notFound, failure) = (Int32(64), Int32(4), Int32(1))

        // net create: names, subnets, gateways, ranges, MTU, bridge names, drivers and their options.
        let sub = "10.213.151.0/24"
        change(bad, "'bad name!'", "net", "create", "bad name!")
        change(bad, "''", "net", "create", "")
        change(bad, String(repeating: "n", count: 65), "net", "create", String(repeating: "n", count: 65))
        change(bad, "'-x'", "net", "create", "ptx", "-x")
        change(bad, "<name>", "net", "create")
        change(bad, "nonsense", "net", "create", "ptx", "--subnet", "nonsense")
        change(bad, "10.213.150.5/24", "net", "create", "ptx", "--subnet", "10.213.150.5/24")
        change(bad, "overlaps", "net", "create", "ptx", "--subnet", "10.213.150.0/25")
        change(bad, "10.213.151.0/33", "net", "create", "ptx", "--subnet", "10.213.151.0/33")
        change(bad, "300", "net", "create", "ptx", "--subnet", "300.0.0.0/24")
        change(bad, "10.213.152.1", "net", "create", "ptx", "--subnet", sub, "--gateway", "10.213.152.1")
        change(bad, "10.213.151.0", "net", "create", "ptx", "--subnet", sub, "--gateway", "10.213.151.0")
        change(bad, "nonsense", "net", "create", "ptx", "--subnet", sub, "--gateway", "nonsense")
        change(bad, "10.213.152.0/28", "net", "create", "ptx", "--subnet", sub, "--ip-range", "10.213.152.0/28")
        change(bad, "junk", "net", "create", "ptx", "--subnet", sub, "--ip-range", "junk")
        for mtu in ["0", "67", "65536", huge] { change(bad, "--mtu \(mtu)", "net", "create", "ptx", "--subnet", sub, "--mtu", mtu) }
        for mtu in ["abc", tooBig, "1.5"] { change(bad, mtu, "net", "create", "ptx", "--subnet", sub, "--mtu", mtu) }
        change(bad, "this-name-is-far-too-long", "net", "create", "ptx", "--subnet", sub, "--bridge", "this-name-is-far-too-long")
        change(bad, "pt/x", "net", "create", "ptx", "--subnet", sub, "--bridge", "pt/x")
        change(bad, x.bridge, "net", "create", "ptx", "--subnet", sub, "--bridge", x.bridge)
        change(bad, x.network, "net", "create", x.network, "--subnet", sub)
        change(bad, "nosuch", "net", "create", "ptx", "--subnet", sub, "--driver", "nosuch")
        change(bad, "--parent", "net", "create", "ptx", "--subnet", sub, "--driver", "macvlan")
        change(notFound, "ptnope", "net", "create", "ptx", "--subnet", sub, "--driver", "macvlan", "--parent", "ptnope")
        change(bad, "weird", "net", "create", "ptx", "--subnet", sub, "--driver", "macvlan", "--parent", "lo", "--mode", "weird")
        change(bad, "--vni", "net", "create", "ptx", "--subnet", sub, "--driver", "vxlan", "--remote", "10.213.1.1")
        for vni in ["0", "16777216"] {
            change(bad, "--vni \(vni)", "net", "create", "ptx", "--subnet", sub, "--driver", "vxlan", "--vni", vni, "--remote", "10.213.1.1")
        }
        for vni in ["4294967296", "-5", "x"] {
            change(bad, vni == "-5" ? "vni" : vni, "net", "create", "ptx", "--subnet", sub, "--driver", "vxlan", "--vni", vni, "--remote", "10.213.1.1")
        }
        change(bad, "junk", "net", "create", "ptx", "--subnet", sub, "--driver", "vxlan", "--vni", "5", "--remote", "junk")
        change(bad, "junk", "net", "create", "ptx", "--subnet", sub, "--driver", "vxlan", "--vni", "5", "--remote", "10.213.1.1", "--local", "junk")
        for port in ["0", "65536"] {
            change(bad, "--dstport \(port)", "net", "create", "ptx", "--subnet", sub, "--driver", "vxlan", "--vni", "5", "--remote", "10.213.1.1", "--dstport", port)
        }
        change(bad, tooBig, "net", "create", "ptx", "--subnet", sub, "--driver", "vxlan", "--vni", "5", "--remote", "10.213.1.1", "--dstport", tooBig)
        // IPv6 and dual stack (bridge): one subnet per family, --nat66 only with an IPv6 subnet and egress.
        change(bad, "one IPv4 and one IPv6", "net", "create", "ptx", "--subnet", sub, "--subnet", "10.213.152.0/24")
        change(bad, "one IPv4 and one IPv6", "net", "create", "ptx", "--subnet", "fd13:71::/64", "--subnet", "fd13:72::/64")
        change(bad, "3 times", "net", "create", "ptx", "--subnet", sub, "--subnet", "fd13:71::/64", "--subnet", "fd13:72::/64")
        change(bad, "fd13:71::5/64", "net", "create", "ptx", "--subnet", sub, "--subnet", "fd13:71::5/64")
        change(bad, "fd13:72::1", "net", "create", "ptx", "--subnet", sub, "--subnet", "fd13:71::/64", "--gateway", "fd13:72::1")
        change(bad, "no IPv6 --subnet", "net", "create", "ptx", "--subnet", sub, "--gateway", "10.213.151.1", "--gateway", "fd13:71::1")
        change(bad, "--nat66", "net", "create", "ptx", "--subnet", sub, "--nat66")
        change(bad, "--internal", "net", "create", "ptx", "--subnet", "fd13:71::/64", "--nat66", "--internal")
        change(bad, "bridge driver", "net", "create", "ptx", "--subnet", sub, "--subnet", "fd13:71::/64", "--driver", "macvlan", "--parent", "lo")
        change(bad, "--cni-config", "net", "create", "ptx", "--driver", "cni")
        change(bad, "/nonexistent/pt.conflist", "net", "create", "ptx", "--driver", "cni", "--cni-config", "/nonexistent/pt.conflist")
        change(bad, "JSON", "net", "create", "ptx", "--driver", "cni", "--cni-config", x.junkFile)
        change(bad, "cniVersion", "net", "create", "ptx", "--driver", "cni", "--cni-config", x.emptyConfig)

        // net rm / inspect / ls
        change(notFound, "ptnope", "net", "rm", "ptnope")
        change(notFound, "ptnope", "net", "rm", x.network, "ptnope", "--force")
        change(bad, "--force", "net", "rm", x.network)
        change(bad, "twice", "net", "rm", x.network, x.network)
        change(bad, "<names>", "net", "rm")
        change(notFound, "ptnope", "net", "inspect", "ptnope")
        change(bad, "<name>", "net", "inspect")
        change(bad, "'extra'", "net", "inspect", x.network, "extra")
        change(bad, "--bogus", "net", "ls", "--bogus")

        // net connect: targets, addresses, interface names, published ports and ranges.
        change(notFound, "ptnope", "net", "connect", "ptnope", x.free)
        change(notFound, missing, "net", "connect", x.network, missing)
        change(notFound, "pid:999999999", "net", "connect", x.network, "pid:999999999")
        change(bad, "already connected", "net", "connect", x.network, x.connected)
        change(bad, "host", "net", "connect", x.network, "host")
        change(bad, "twice", "net", "connect", x.network, x.free, x.free)
        change(bad, "give a target", "net", "connect", x.network)
        for ip in ["10.213.150.7", "10.213.99.7", "10.213.150.0", "10.213.150.255", "junk", "300.1.1.1", "fd13::7"] {
            change(bad, ip, "net", "connect", x.network, x.free, "--ip", ip)
        }
        change(bad, "much-too-long-name", "net", "connect", x.network, x.free, "--ifname", "much-too-long-name")
        change(bad, "a/b", "net", "connect", x.network, x.free, "--ifname", "a/b")
        change(bad, "18150/tcp", "net", "connect", x.network, x.free, "-p", "18150:80")
        for p in ["notaport", "0:80", "65536:80", "18151:0", "18151:65536", "\(huge):80", "\(tooBig):80", "18151:80/sctp",
                  "1.2.3:18151:80", "18151-18152:80", "-1:80", ":80", "18151:", "18151:80:90:100"] {
            change(bad, p.hasPrefix("-") ? "-p" : p, "net", "connect", x.network, x.free, "-p", p)
        }
        for p in ["0-\(huge):80", "\(huge)-\(huge):80", "18160-18160:80", "18162-18161:80", "65535-65536:80", "0-1:80", "x-y:80"] {
            change(bad, p, "net", "connect", x.network, x.free, x.other, "-p", p)
        }
        change(bad, "--ip", "net", "connect", x.network, x.free, x.other, "--ip", "10.213.150.9")

        // net disconnect
        change(notFound, "ptnope", "net", "disconnect", "ptnope", x.connected)
        change(notFound, x.free, "net", "disconnect", x.network, x.free)
        change(notFound, missing, "net", "disconnect", x.network, missing)
        change(notFound, missing, "net", "disconnect", x.network, x.connected, missing)
        change(bad, "<targets>", "net", "disconnect", x.network)

        // ns add / rm / ls
        for name in ["bad name!", "../../x", "", "a/b", "..", String(repeating: "n", count: 256)] {
            stateOnly(bad, "'\(name)'", "ns", "add", name)
        }
        stateOnly(bad, "already exists", "ns", "add", x.free)
        stateOnly(bad, "<name>", "ns", "add")
        stateOnly(bad, "--host-ns", "ns", "add", x.free, "--host-ns", "x")  // an option that means nothing there
        change(bad, "--dry-run", "net", "ls", "--dry-run")
        change(bad, "snapshots", "snapshots")  // an unknown command names itself (and the closest one)
        change(notFound, missing, "ns", "rm", missing)
        for name in ["bad name!", "../x"] { change(bad, "'\(name)'", "ns", "rm", name) }
        change(bad, "in use", "ns", "rm", x.connected)
        change(bad, "<name>", "ns", "rm")
        plain(bad, "--bogus", "ns", "ls", "--bogus")
        plain(bad, "'extra'", "ns", "ls", "extra")

        // Readers: snapshot, fw, diff, ss
        plain(notFound, missing, "snapshot", missing)
        plain(notFound, "pid:999999999", "snapshot", "pid:999999999")
        plain(bad, "'extra'", "snapshot", missing, "extra")
        plain(bad, "--bogus", "snapshot", "--bogus")
        plain(notFound, missing, "fw", missing)
        plain(bad, "--bogus", "fw", "--bogus")
        plain(failure, "/nonexistent/a.json", "diff", "/nonexistent/a.json", "/nonexistent/b.json")
        plain(bad, x.junkFile, "diff", x.junkFile, x.junkFile)
        plain(bad, "<after>", "diff", x.junkFile)
        plain(notFound, missing, "ss", missing)
        plain(bad, "--bogus", "ss", "--bogus")
        plain(notFound, missing, "ports", missing)
        plain(bad, "--bogus", "ports", "--bogus")
        plain(bad, "'extra'", "ports", missing, "extra")
        // map: targets, formats, widths, snapshot files.
        plain(notFound, missing, "map", missing)
        plain(bad, "'png'", "map", "--format", "png")
        plain(bad, "--width 39", "map", "--width", "39")
        plain(bad, "--width \(huge)", "map", "--width", huge)
        plain(bad, tooBig, "map", "--width", tooBig)
        plain(bad, "--bogus", "map", "--bogus")
        plain(failure, "/nonexistent/s.json", "map", "--from", "/nonexistent/s.json")
        plain(bad, x.junkFile, "map", "--from", x.junkFile)
        plain(bad, "'extra'", "map", missing, "extra")

        // conntrack (list reads the test namespace; delete rows all fail before any entry is selected)
        plain(notFound, missing, "conntrack", "list", missing)
        plain(bad, "'extra'", "conntrack", "list", x.free, "extra")
        for port in ["70000", "-1", tooBig] { plain(bad, port == "-1" ? "--port" : port, "conntrack", "list", x.free, "--port", port) }
        plain(bad, "junk", "conntrack", "list", x.free, "--src", "junk")
        plain(bad, "10.0.0.0/99", "conntrack", "list", x.free, "--dst", "10.0.0.0/99")
        for proto in ["bogus", "256"] { plain(bad, proto, "conntrack", "list", x.free, "--proto", proto) }
        plain(bad, "--max-events", "conntrack", "list", x.free, "--max-events", "5")
        for n in ["0", "-3"] { plain(bad, "--max-events", "conntrack", "list", x.free, "--watch", "--max-events=\(n)") }
        stateOnly(bad, "give a filter", "conntrack", "delete", x.free)
        // drops (all rejected before anything is watched, except the reason the kernel does not know)
        plain(notFound, missing, "drops", missing, "--for", "1s")
        plain(bad, "'extra'", "drops", x.free, "extra")
        for d in ["0", "-1s", "abc", "10x", "1e9h", huge] { plain(bad, d, "drops", x.free, "--for=\(d)") }
        plain(bad, "no way!", "drops", x.free, "--reason", "no way!")
        plain(bad, "BOGUS_REASON", "drops", x.free, "--reason", "BOGUS_REASON", "--for", "1s")
        for n in ["0", "-3"] { plain(bad, "--max-events", "drops", x.free, "--max-events=\(n)") }
        plain(bad, "--max-events", "drops", x.free, "--for", "1s", "--max-events", "3")
        stateOnly(bad, "--all --yes", "conntrack", "delete", x.free, "--all")
        stateOnly(bad, "--all selects every entry", "conntrack", "delete", x.free, "--all", "--yes", "--src", "10.213.150.7")
        stateOnly(notFound, missing, "conntrack", "delete", missing, "--src", "10.213.150.7")
        stateOnly(bad, "junk", "conntrack", "delete", x.free, "--src", "junk")
        stateOnly(bad, "70000", "conntrack", "delete", x.free, "--port", "70000")

        // exec
        plain(notFound, missing, "exec", missing, "--", "true")
        plain(notFound, "pid:999999999", "exec", "pid:999999999", "--", "true")
        plain(bad, "<target>", "exec")
        plain(127, "/nonexistent/pt-cmd", "exec", x.free, "--", "/nonexistent/pt-cmd")

        // trace: addresses, ports, sizes, protocols, targets.
        let dst = "10.213.150.7"
        plain(bad, "bad address '300.1.1.1'", "trace", x.free, "300.1.1.1")
        plain(bad, "bad address '1.2.3.4.5'", "trace", x.free, "1.2.3.4.5")
        plain(bad, "bad address 'fd13::zz'", "trace", x.free, "fd13::zz")
        plain(bad, "bad address '300.1.1.1'", "trace", "\(x.free)@300.1.1.1", dst)
        plain(bad, "bad address '1.2.3'", "trace", x.free, "\(x.connected)@1.2.3")
        plain(bad, "--port", "trace", x.free, dst, "--port", "0")
        plain(bad, "--sport", "trace", x.free, dst, "--port", "80", "--sport", "0")
        for port in ["65536", "-1", tooBig] { plain(bad, port == "-1" ? "port" : port, "trace", x.free, dst, "--port", port) }
        plain(bad, "sctp", "trace", x.free, dst, "--proto", "sctp")
        plain(bad, "--port", "trace", x.free, dst, "--proto", "udp")
        for size in ["27", "65536", huge] { plain(bad, "--size", "trace", x.free, dst, "--size", size) }
        plain(bad, tooBig, "trace", x.free, dst, "--size", tooBig)
        plain(notFound, missing, "trace", missing, dst)
        plain(notFound, missing, "trace", x.free, missing)
        plain(bad, "<destination>", "trace", x.free)
        // trace --live: nothing is sent and no rule is added when the input is bad.
        plain(bad, "--sport", "trace", x.free, dst, "--port", "80", "--sport", "4000", "--live")
        plain(bad, "--size", "trace", x.free, dst, "--size", "100", "--live")
        plain(bad, "--state-dir", "trace", x.free, dst, "--state-dir", "/tmp/pt-lt-unused")
        plain(bad, "sctp", "trace", x.free, dst, "--proto", "sctp", "--live")
        plain(bad, "--port", "trace", x.free, dst, "--port", "0", "--live")
        plain(bad, "bad address '300.1.1.1'", "trace", x.free, "300.1.1.1", "--live")
        stateOnly(notFound, missing, "trace", missing, dst, "--live")
        stateOnly(notFound, missing, "trace", x.free, missing, "--live")

        // capture: counts, buffer and snap lengths, filters, interfaces, outputs.
        plain(notFound, missing, "capture", missing, "-c", "1")
        plain(notFound, "ptnope", "capture", x.free, "-i", "ptnope", "-c", "1")
        for c in ["0", "-1"] { plain(bad, "-c", "capture", x.free, "-c", c) }
        plain(bad, tooBig, "capture", x.free, "-c", tooBig)
        for b in [huge, "0", "2097152", "-5"] { plain(bad, "-B", "capture", x.free, "-B", b, "-c", "1") }
        for s in ["0", "262145", "-1"] { plain(bad, "-s", "capture", x.free, "-s", s, "-c", "1") }
        plain(bad, tooBig, "capture", x.free, "-s", tooBig, "-c", "1")
        plain(bad, "not a filter ((", "capture", x.free, "-f", "not a filter ((", "-c", "1")
        plain(bad, "--json", "capture", x.free, "--json", "-w", "/tmp/pt-never.pcap")
        plain(bad, "3 -i options for 2 targets", "capture", x.free, x.other, "-i", "lo", "-i", "lo", "-i", "lo", "-c", "1")
        plain(bad, "<targets>", "capture")
        plain(failure, "/nonexistent/pt.pcap", "capture", x.free, "-i", "lo", "-w", "/nonexistent/pt.pcap", "-c", "1")

        // doctor
        change(notFound, missing, "doctor", missing)
        change(notFound, "nosuchfinding", "doctor", "--fix", "nosuchfinding", "--yes")
        change(notFound, "undo", "doctor", "--undo")
        rows.append(.init(args: ["doctor", "--host-ns", missing], change: false, code: notFound, mentions: missing))
        change(bad, "--bogus", "doctor", "--bogus")
        change(bad, "--fix", "doctor", "--fix")
        change(bad, "--force", "doctor", "--force")

        // lab
        for prefix in ["../../x", "toolong", "bad!", ""] {
            change(bad, "'\(prefix)'", "lab", "up", "--prefix", prefix)
            change(bad, "'\(prefix)'", "lab", "down", "--prefix", prefix)
        }
        change(bad, "--bogus", "lab", "up", "--bogus")

        // net gc: the cluster store's lease reclaimer (needs a store; no --host-ns)
        stateOnly(bad, "--store", "net", "gc")
        stateOnly(bad, "--grace", "net", "gc", "--grace", "-1")
        stateOnly(bad, "nan", "net", "gc", "--grace", "nan")
        stateOnly(bad, "bogus://x", "net", "gc", "--store", "bogus://x")

        // agent: checked before it registers anything
        change(bad, "--ttl", "agent", "--ttl", "1")
        change(bad, "--ttl", "agent", "--ttl", "301")
        change(bad, "nope", "agent", "--advertise", "nope")
        change(bad, "--dry-run", "agent", "--dry-run")
        change(bad, "--store", "agent", "--once")

        // gc
        change(bad, "--bogus", "gc", "--bogus")
        change(bad, "'extra'", "gc", "extra")

        // tui (checked before the terminal is opened)
        for interval in ["0", "0.01", "3601", "nan", "inf", "-1", "1e30"] {
            plain(bad, "--interval", "tui", "--interval", interval)
        }
        plain(bad, "abc", "tui", "--interval", "abc")

        // The root command
        plain(bad, "'bogus'", "bogus")
        plain(bad, "--bogus", "--bogus")
        plain(bad, "'bogus'", "net", "bogus")
        return rows
    }

    /// The command path a row exercises ("net create"), read from the argument-parser tree.
    static func commandPath(of args: [String]) -> [String] {
        var command: ParsableCommand.Type = PlumbCommand.self
        var path: [String] = []
        for word in args {
            guard let sub = command.configuration.subcommands.first(where: { names($0).contains(word) }) else { break }
            path.append(word)
            command = sub
        }
        return path
    }

    /// Every leaf command of the tree ("net create", "tui", ...).
    static func leafCommands() -> [[String]] {
        var leaves: [[String]] = []
        func visit(_ command: ParsableCommand.Type, _ path: [String]) {
            let subs = command.configuration.subcommands
            if subs.isEmpty { return leaves.append(path) }
            for sub in subs { visit(sub, path + [names(sub)[0]]) }
        }
        visit(PlumbCommand.self, [])
        return leaves
    }

    static func names(_ command: ParsableCommand.Type) -> [String] {
        [command.configuration.commandName ?? command._commandName] + command.configuration.aliases
    }
}
