import ArgumentParser
import Glibc
import PlumbKernel
import PlumbModel

/// The filter options of `plumb conntrack` and `plumb conntrack delete`.
struct ConntrackFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only entries from this address or prefix (the original source, or the source after SNAT).")
    var src: String?

    @Option(name: .long, help: "Only entries to this address or prefix (the original destination, or the one DNAT chose).")
    var dst: String?

    @Option(name: .long, help: "Only entries with this port on either side, before or after NAT.")
    var port: Int?

    @Option(name: .long, help: "Only this protocol: tcp, udp, icmp, icmpv6, sctp, dccp, gre, udplite or a number.")
    var proto: String?

    @Flag(name: .long, help: "Only entries that translate an address or port (SNAT, DNAT or both).")
    var nat = false

    /// The filter, or exit 64 naming the bad option.
    func filter() throws -> ConntrackFilter {
        func prefix(_ option: String, _ text: String?) throws -> IPPrefix? {
            guard let text else { return nil }
            guard let p = IPPrefix(addressOrPrefix: text) else {
                throw CommandFailure(description: "--\(option) \(text) is not an address or prefix (e.g. 10.0.0.5 or 10.0.0.0/24, fd00::/64)",
                                     code: PlumbExit.usage)
            }
            return p
        }
        var f = ConntrackFilter(src: try prefix("src", src), dst: try prefix("dst", dst), natOnly: nat)
        if let port {
            guard (0...65535).contains(port) else {
                throw CommandFailure(description: "--port \(port) is not a port number (0-65535)", code: PlumbExit.usage)
            }
            f.port = UInt16(port)
        }
        if let proto {
            guard let n = ConntrackProtocol.number(named: proto) else {
                throw CommandFailure(description: "--proto \(proto) is not a protocol: use tcp, udp, icmp, icmpv6, sctp, dccp, gre, udplite or a number",
                                     code: PlumbExit.usage)
            }
            f.protocolNumber = n
        }
        return f
    }
}

/// The namespace a conntrack command works in: the host unless a target names another (resolved as every
/// command resolves targets; not found exits 4).
struct ConntrackNamespace {
    var handle: NamespaceHandle
    var name: String
    /// net:[ID]
    var id: UInt64?

    static func resolve(_ target: String?) throws -> ConntrackNamespace {
        guard let target, target != "host" else {
            var st = stat()
            let id = stat("/proc/self/ns/net", &st) == 0 ? UInt64(st.st_ino) : nil
            return ConntrackNamespace(handle: .host, name: "host", id: id)
        }
        var options = SnapshotOptions()
        options.netlink = false
        options.firewall = false
        options.scanFds = false
        options.processDetails = false
        let snap = SnapshotReader(options: options).read(target: target)
        let ns = try resolveTarget(target, in: snap)
        guard let handle = NamespaceHandle(ns) else {
            throw CommandFailure(description: "namespace \(ns.displayName) (net:[\(ns.id)]) has nothing left to enter it by: it was just deleted",
                                 code: PlumbExit.notFound)
        }
        return ConntrackNamespace(handle: handle, name: ns.displayName, id: ns.id)
    }

    /// Opens ctnetlink in the namespace; conntrack missing or the namespace gone is one line and exit 1 or 4.
    func open() throws -> ConntrackSocket {
        do {
            return try ConntrackReader.open(handle)
        } catch let e as NamespaceOpenError {
            throw CommandFailure(description: "namespace \(name): \(e)", code: PlumbExit.notFound)
        } catch {
            throw Self.failure(error, in: name)
        }
    }

    /// A conntrack error as one line naming the namespace.
    static func failure(_ error: any Error, in name: String) -> CommandFailure {
        let category = (error as? any CategorizedError)?.category ?? .failure
        return CommandFailure("conntrack of namespace \(name): \(error)", ExitStatus(category))
    }
}
