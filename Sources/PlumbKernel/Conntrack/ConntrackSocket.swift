import Glibc
import CNetlink
import PlumbSystem
import PlumbModel

/// A ctnetlink socket bound to the namespace of the thread that opened it (see `ConntrackReader.open`), usable
/// from any thread afterwards: dumps, the table's usage, and deletes. One request at a time.
public final class ConntrackSocket: @unchecked Sendable {
    let fd: FileDescriptor
    /// net.netfilter.nf_conntrack_acct of the socket's namespace, read when it was opened (nil: unknown).
    public let accounting: Bool?
    private var seq: UInt32 = 1
    /// Where recv puts the kernel's answers: one dump datagram is at most 32 KB, events are smaller.
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: ConntrackSocket.bufferSize, alignment: 8)
    static let bufferSize = 1 << 17

    /// Opens the socket in the calling thread's namespace and reads that namespace's accounting switch.
    init() throws(ConntrackError) {
        do {
            fd = try Self.openNetfilter(receiveBuffer: 4 << 20)
        } catch {
            if error.code == EPROTONOSUPPORT { throw .unavailable("the kernel has no nfnetlink") }
            throw .system(error)
        }
        accounting = FileReader.readInt("/proc/sys/net/netfilter/nf_conntrack_acct").map { $0 != 0 }
    }

    deinit { buffer.deallocate() }

    /// A NETLINK_NETFILTER socket bound in the calling thread's namespace (this one and the event socket).
    static func openNetfilter(receiveBuffer: Int32) throws(SystemError) -> FileDescriptor {
        let fd = try FileDescriptor.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue), NETLINK_NETFILTER)
        try fd.setOption(SOL_SOCKET, SO_RCVBUF, receiveBuffer)
        var sa = sockaddr_nl()
        sa.nl_family = sa_family_t(AF_NETLINK)
        try fd.bind(sa)
        return fd
    }

    private func nextSeq() -> UInt32 { seq &+= 1; return seq }

    /// Every entry of the namespace (both families), parsed batch by batch straight from the receive buffer.
    /// `reserve` sizes the array up front (the usage count, when the caller has it).
    public func entries(reserve: Int = 0) throws(ConntrackError) -> [ConntrackEntry] {
        var out: [ConntrackEntry] = []
        out.reserveCapacity(reserve)
        try dump { batch in
            for i in batch.indices { out.append(ConntrackEntry(batch[i])) }
        }
        return out
    }

    /// The dump's raw answer messages, for recording fixtures (`RecordedConntrackDump`).
    public func recordDump() throws(ConntrackError) -> [UInt8] {
        let rc = plumb_ct_request_dump(fd.rawValue, UInt8(AF_UNSPEC), nextSeq())
        if rc < 0 { throw .kernel("conntrack dump request", -rc) }
        var bytes: [UInt8] = []
        while true {
            let n = recv(fd.rawValue, buffer, Self.bufferSize, 0)
            if n < 0 { if errno == EINTR { continue }; throw .kernel("conntrack dump", errno) }
            bytes += UnsafeRawBufferPointer(start: buffer, count: n)
            // NLMSG_DONE ends a dump; it comes alone or last in its datagram.
            var off = 0, done = false
            while off + 16 <= n {
                let len = Int(buffer.load(fromByteOffset: off, as: UInt32.self))
                let type = buffer.load(fromByteOffset: off + 4, as: UInt16.self)
                if type == UInt16(NLMSG_DONE) || type == UInt16(NLMSG_ERROR) { done = true }
                if len < 16 { break }
                off += (len + 3) & ~3
            }
            if done { return bytes }
        }
    }

    /// Runs `body` on each batch of parsed records of one dump.
    func dump(_ body: (UnsafeBufferPointer<plumb_ct>) -> Void) throws(ConntrackError) {
        let rc = plumb_ct_request_dump(fd.rawValue, UInt8(AF_UNSPEC), nextSeq())
        if rc < 0 { throw .kernel("conntrack dump request", -rc) }
        var reader = plumb_ct_reader()
        reader.fd = fd.rawValue
        reader.buf = buffer.assumingMemoryBound(to: UInt8.self)
        reader.cap = Int32(Self.bufferSize)
        try ConntrackSocket.read(&reader, body)
    }

    /// Reads a stream to its end (or, non-blocking, to what is pending), batch by batch.
    static func read(_ reader: inout plumb_ct_reader, _ body: (UnsafeBufferPointer<plumb_ct>) -> Void) throws(ConntrackError) {
        let batch = UnsafeMutablePointer<plumb_ct>.allocate(capacity: 512)
        defer { batch.deallocate() }
        while true {
            let n = plumb_ct_next(&reader, batch, 512)
            if n < 0 { throw .kernel("conntrack read", -n) }
            if n > 0 { body(UnsafeBufferPointer(start: batch, count: Int(n))) }
            if reader.err != 0 { throw ConntrackError.answer("conntrack dump", reader.err) }
            if reader.done != 0 || (n == 0 && reader.nonblocking != 0) { return }
        }
    }

    /// Entries now and the table's limit (IPCTNL_MSG_CT_GET_STATS), with the accounting switch.
    public func usage() throws(ConntrackError) -> ConntrackUsage {
        var count: UInt32 = 0, max: UInt32 = 0, hasMax: Int32 = 0
        let rc = plumb_ct_usage(fd.rawValue, nextSeq(), &count, &max, &hasMax)
        if rc < 0 { throw ConntrackError.answer("conntrack statistics", -rc) }
        return ConntrackUsage(count: Int(count), max: hasMax != 0 ? Int(max) : nil, accounting: accounting)
    }

    /// Deletes one entry by its original tuple, zone and id. Returns false when it was already gone (or the
    /// tuple now belongs to a newer connection, which is left alone).
    public func delete(_ entry: ConntrackEntry) throws(ConntrackError) -> Bool {
        var record = plumb_ct(entry)
        let rc = plumb_ct_delete(fd.rawValue, &record, nextSeq())
        if rc == 0 { return true }
        if -rc == ENOENT { return false }
        throw ConntrackError.answer("conntrack delete", -rc)
    }
}

/// Why conntrack could not be read or changed.
public enum ConntrackError: Error, CustomStringConvertible, Sendable {
    /// The kernel has no connection tracking (or no ctnetlink) here.
    case unavailable(String)
    /// A socket call failed.
    case system(SystemError)
    /// A system call on the socket failed with this errno.
    case kernel(String, Int32)
    /// The kernel answered the request with this errno.
    case answer(String, Int32)

    public var description: String {
        switch self {
        case .unavailable(let why):
            return "conntrack is not available (\(why)): load it with `modprobe nf_conntrack_netlink`"
        case .system(let e): return e.description
        case .kernel(let what, let code), .answer(let what, let code):
            if Self.meansNotLoaded(code) {
                return ConntrackError.unavailable("\(what): \(String(cString: strerror(code)))").description
            }
            return "\(what) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    /// nfnetlink answers requests for a subsystem that is not loaded with EOPNOTSUPP (older kernels: ENOENT
    /// or EPROTONOSUPPORT).
    static func meansNotLoaded(_ code: Int32) -> Bool {
        code == EOPNOTSUPP || code == EPROTONOSUPPORT
    }

    /// True when conntrack is missing rather than failing.
    public var isUnavailable: Bool {
        switch self {
        case .unavailable: return true
        case .kernel(_, let c), .answer(_, let c): return Self.meansNotLoaded(c)
        case .system(let e): return e.code == EPROTONOSUPPORT
        }
    }
}

extension ConntrackError: CategorizedError {
    /// Conntrack missing or the kernel refusing is a failure; EPERM means plumb lacks CAP_NET_ADMIN there.
    public var category: ErrorCategory {
        switch self {
        case .unavailable: return .failure
        case .system(let e): return e.code == EPERM ? .permission : .failure
        case .kernel(_, let c), .answer(_, let c): return c == EPERM ? .permission : .failure
        }
    }
}
