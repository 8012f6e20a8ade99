import Glibc
import CLiveTrace
import PlumbModel
import PlumbSystem

/// The socket that sends a live trace's one probe, made inside the source namespace, with its tag (source port
/// or ICMP echo id) reserved machine-wide for as long as this value lives.
public final class LiveProbeSocket: @unchecked Sendable {
    let fd: SharedFileDescriptor
    let family: Int32
    let proto: Int32
    public let tag: UInt16
    private let reservation: ProbeTagReservation

    private init(fd: SharedFileDescriptor, family: Int32, proto: Int32, tag: UInt16, reservation: ProbeTagReservation) {
        self.fd = fd; self.family = family; self.proto = proto; self.tag = tag; self.reservation = reservation
    }

    /// Opens the socket in `ns`. proto: tcp, udp, icmp, icmpv6. `source`: the address to send from (nil: the
    /// kernel's choice). A tag another running trace holds is never used.
    public static func open(in ns: NamespaceHandle, proto: String, source: IPAddress?, destination: IPAddress) throws -> LiveProbeSocket {
        let family = destination.isIPv4 ? AF_INET : AF_INET6
        let number: Int32 = ["tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58][proto] ?? 1
        let srcBytes = source?.networkBytes
        let open: @Sendable () throws -> LiveProbeSocket = {
            for _ in 0..<64 {
                if let s = try attempt(family: family, number: number, source: srcBytes, proto: proto) { return s }
            }
            throw SystemError("fcntl", "no free probe tag after 64 tries (are many live traces running?)", errno: EBUSY)
        }
        if ns.isHost { return try open() }
        let file = try NamespaceOpener.open(ns)
        return try NamespaceWorkers.run(inNamespaceFd: file.rawValue, open)
    }

    /// One socket and one tag; nil when another trace holds the tag.
    private static func attempt(family: Int32, number: Int32, source: [UInt8]?, proto: String) throws -> LiveProbeSocket? {
        var port: UInt16 = 0
        let raw = source.map { b in b.withUnsafeBufferPointer { plumb_probe_open(family, number, $0.baseAddress, &port) } }
            ?? plumb_probe_open(family, number, nil, &port)
        if raw < 0 { throw SystemError("socket", "\(proto) probe socket", errno: -raw) }
        let fd = SharedFileDescriptor(FileDescriptor(owning: raw))
        let tag = number == 6 || number == 17 ? port : UInt16.random(in: 1024...UInt16.max)
        guard let r = try ProbeTagReservation.reserve(tag, proto: proto) else { return nil }
        return LiveProbeSocket(fd: fd, family: family, proto: number, tag: tag, reservation: r)
    }

    /// Sends the probe (for TCP: starts the connect, whose SYN is the probe).
    public func send(to destination: IPAddress, port: UInt16?) throws {
        let rc = destination.networkBytes.withUnsafeBufferPointer {
            plumb_probe_send(fd.rawValue, family, proto, $0.baseAddress, port ?? 0, tag)
        }
        if rc < 0 { throw SystemError(proto == 6 ? "connect" : "sendto", "probe to \(destination)", errno: -rc) }
    }
}

/// A probe tag held by this process: an open-file-description record lock (F_OFD_SETLK) on one byte of /run/plumb/trace-tags.lock (offset:
/// the protocol's block plus the tag). The kernel releases it when the process ends, however it ends.
final class ProbeTagReservation: @unchecked Sendable {
    static let path = "/run/plumb/trace-tags.lock"
    private let fd: SharedFileDescriptor

    private init(_ fd: SharedFileDescriptor) { self.fd = fd }

    static func reserve(_ tag: UInt16, proto: String) throws -> ProbeTagReservation? {
        _ = mkdir("/run/plumb", 0o700)
        let fd = SharedFileDescriptor(try FileDescriptor.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600))
        // TCP/UDP ports and ICMP ids are separate spaces: a TCP trace and an ICMP trace may share a number.
        let block: Int = proto == "tcp" ? 0 : proto == "udp" ? 1 : 2
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(block * 65536 + Int(tag))
        lock.l_len = 1
        // F_OFD_SETLK (37): unlike F_SETLK, it conflicts within one process too and is not dropped when another
        // descriptor of the file is closed.
        if fcntl(fd.rawValue, 37, &lock) != 0 {
            if errno == EAGAIN || errno == EACCES { return nil }
            throw SystemError("fcntl", "F_OFD_SETLK \(path)")
        }
        return ProbeTagReservation(fd)
    }
}
