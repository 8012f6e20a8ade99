import Glibc

/// The netns cookie: a 64-bit number the kernel gives each network namespace and never reuses within a boot
/// (Linux 5.14+). nsfs inodes, the `net:[ID]` everyone shows, are reused once a namespace is freed, so the
/// cookie is what tells "the namespace I read" from "a newcomer at the same path".
public enum NamespaceCookie {
    /// SO_NETNS_COOKIE from <asm-generic/socket.h> (Glibc's module does not export it).
    static let option: Int32 = 71

    /// The cookie of the namespace socket `fd` was opened in: one getsockopt, no namespace entered.
    public static func of(socket fd: Int32) -> UInt64? {
        try? FileDescriptor.option(of: fd, SOL_SOCKET, option, as: UInt64.self)
    }

    /// The cookie of the calling thread's network namespace (a throwaway socket opened here).
    public static func current() -> UInt64? {
        guard let sock = try? FileDescriptor.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0) else { return nil }
        return of(socket: sock.rawValue)
    }
}
