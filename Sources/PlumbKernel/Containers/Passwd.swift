/// /etc/passwd, read once: user names for namespace owners, and homes for rootless runtimes' state.
/// getpwuid(3) is not used: NSS modules may load, ask the network or block, and a snapshot must not wait.
struct Passwd {
    struct User: Equatable {
        var name: String
        var uid: UInt32
        var home: String
    }

    private(set) var byUID = [UInt32: User]()

    init(fs: RootFS) { self.init(text: fs.text("/etc/passwd") ?? "") }

    /// "name:x:uid:gid:gecos:home:shell" per line; the first entry of a uid wins, as getpwuid's does.
    init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 7, !f[0].isEmpty, !f[0].hasPrefix("#"), let uid = UInt32(f[2]) else { continue }
            if byUID[uid] == nil { byUID[uid] = User(name: String(f[0]), uid: uid, home: String(f[5])) }
        }
    }
}
