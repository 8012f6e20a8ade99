import Glibc

extension FileDescriptor {
    /// socket(2), always SOCK_CLOEXEC.
    public static func socket(_ domain: Int32, _ type: Int32, _ proto: Int32) throws(SystemError) -> FileDescriptor {
        let fd = Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), proto)
        if fd < 0 { throw SystemError("socket", "domain \(domain) protocol \(proto)") }
        return FileDescriptor(owning: fd)
    }

    /// setsockopt(2) with a plain value (an Int32 flag, a buffer size).
    public borrowing func setOption<T>(_ level: Int32, _ name: Int32, _ value: T) throws(SystemError) {
        var v = value
        if setsockopt(rawValue, level, name, &v, socklen_t(MemoryLayout<T>.size)) != 0 {
            throw SystemError("setsockopt", "level \(level) option \(name) on fd \(rawValue)")
        }
    }

    /// getsockopt(2) of a plain integer value, on a socket owned elsewhere (a libnl socket's descriptor).
    public static func option<T: FixedWidthInteger>(of socket: Int32, _ level: Int32, _ name: Int32,
                                                    as: T.Type) throws(SystemError) -> T {
        var v: T = 0
        var len = socklen_t(MemoryLayout<T>.size)
        guard getsockopt(socket, level, name, &v, &len) == 0 else {
            throw SystemError("getsockopt", "level \(level) option \(name) on fd \(socket)")
        }
        guard len == MemoryLayout<T>.size else {
            throw SystemError("getsockopt", "level \(level) option \(name): \(len) bytes", errno: EINVAL)
        }
        return v
    }

    /// bind(2) to a socket address (sockaddr_nl, sockaddr_in, …).
    public borrowing func bind<A>(_ address: A) throws(SystemError) {
        var a = address
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(rawValue, $0, socklen_t(MemoryLayout<A>.size)) }
        }
        if rc != 0 { throw SystemError("bind", "fd \(rawValue)") }
    }

    /// send(2) of a whole datagram.
    public borrowing func send(_ buffer: UnsafeRawBufferPointer) throws(SystemError) {
        while true {
            let n = Glibc.send(rawValue, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return }
            if errno != EINTR { throw SystemError("send", "fd \(rawValue)") }
        }
    }

    /// recv(2), blocking: the number of bytes of the next datagram (cut at the buffer's size).
    public borrowing func receive(into buffer: UnsafeMutableRawBufferPointer, flags: Int32 = 0) throws(SystemError) -> Int {
        while true {
            let n = recv(rawValue, buffer.baseAddress, buffer.count, flags)
            if n >= 0 { return n }
            if errno != EINTR { throw SystemError("recv", "fd \(rawValue)") }
        }
    }
}
