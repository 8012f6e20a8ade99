import Glibc

/// Why a file a user asked Plumb to write (a capture's `-w FILE`, the TUI's `w`) was not opened. Plumb runs as
/// root, so the path may lead somewhere its user could not write: a planted symbolic link, someone else's file.
public enum PrivateFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path exists and overwriting was not asked for.
    case exists(String)
    /// The last component is a symbolic link: it is never followed.
    case symbolicLink(String)
    /// Not a regular file (a directory, a device, a FIFO), or a regular file with other hard links.
    case notPlainFile(String, reason: String)
    /// An existing file belongs to someone other than the user Plumb writes for.
    case foreignOwner(String, uid: uid_t)
    case system(SystemError)

    public var description: String {
        switch self {
        case .exists(let p): return "\(p) already exists"
        case .symbolicLink(let p): return "\(p) is a symbolic link, which Plumb never writes through: give the real path"
        case .notPlainFile(let p, let reason): return "\(p) is \(reason): Plumb only overwrites plain files"
        case .foreignOwner(let p, let uid): return "\(p) belongs to uid \(uid), not to you: Plumb does not overwrite other users' files"
        case .system(let e): return "\(e)"
        }
    }
}

/// Who a file Plumb creates on a user's behalf belongs to: the user who ran `sudo plumb` (SUDO_UID/SUDO_GID),
/// not root, so the capture they asked for is theirs to read and delete; otherwise the effective user.
public struct FileOwner: Equatable, Sendable {
    public var uid: uid_t
    public var gid: gid_t

    public init(uid: uid_t, gid: gid_t) { self.uid = uid; self.gid = gid }

    /// SUDO_UID/SUDO_GID when running as root under sudo (and both are numbers), else the effective ids.
    public static func invokingUser(environment: [String: String]? = nil) -> FileOwner {
        func variable(_ name: String) -> String? {
            if let environment { return environment[name] }
            return getenv(name).map { String(cString: $0) }
        }
        if geteuid() == 0, let u = variable("SUDO_UID").flatMap({ uid_t($0) }),
           let g = variable("SUDO_GID").flatMap({ gid_t($0) }) {
            return FileOwner(uid: u, gid: g)
        }
        return FileOwner(uid: geteuid(), gid: getegid())
    }
}

extension FileDescriptor {
    /// Opens `path` for writing a new file, mode 0600, owned by `owner`. The one way Plumb creates a file a
    /// user named:
    /// - the last component is never followed when it is a symbolic link (O_NOFOLLOW, and O_EXCL, which also
    ///   refuses a dangling link), so a link planted in /tmp cannot aim root's write at another file;
    /// - an existing file is refused unless `overwrite`; then it must be a plain file (regular, one link)
    ///   owned by `owner` or by the effective user, and it is truncated through the descriptor just checked;
    ///   or a character device (`/dev/null`, `/dev/full`), which only root can have made, written as it is;
    /// - a new file is chowned through its descriptor, never by path.
    public static func createPrivate(_ path: String, overwrite: Bool, owner: FileOwner) throws(PrivateFileError) -> FileDescriptor {
        if let fd = openIfPresent(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600) {
            if geteuid() == 0, owner.uid != 0 || owner.gid != 0, fchown(fd.rawValue, owner.uid, owner.gid) != 0 {
                let failure = SystemError("fchown", path)
                _ = unlink(path)  // just created by us (O_EXCL): leave nothing half-made behind
                throw .system(failure)
            }
            return fd
        }
        let created = errno
        guard created == EEXIST else { throw .system(SystemError("open", path, errno: created)) }
        var link = stat()
        if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK { throw .symbolicLink(path) }
        guard overwrite else { throw .exists(path) }
        // O_NONBLOCK: a FIFO swapped in after the check must not hang the open; it is refused below anyway.
        guard let fd = openIfPresent(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK) else {
            if errno == ELOOP { throw .symbolicLink(path) }
            throw .system(SystemError("open", path))
        }
        let st: stat
        do { st = try fd.status() } catch { throw .system(error) }
        if st.st_mode & S_IFMT == S_IFCHR { return try blocking(fd, path) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw .notPlainFile(path, reason: "not a regular file") }
        guard st.st_nlink == 1 else { throw .notPlainFile(path, reason: "hard-linked \(st.st_nlink) times") }
        guard st.st_uid == owner.uid || st.st_uid == geteuid() else { throw .foreignOwner(path, uid: st.st_uid) }
        guard ftruncate(fd.rawValue, 0) == 0 else { throw .system(SystemError("ftruncate", path)) }
        return try blocking(fd, path)
    }

    /// Clears the O_NONBLOCK the checked open used: the capture writer expects blocking writes.
    private static func blocking(_ fd: consuming FileDescriptor, _ path: String) throws(PrivateFileError) -> FileDescriptor {
        let flags = fcntl(fd.rawValue, F_GETFL)
        guard flags >= 0, fcntl(fd.rawValue, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            throw .system(SystemError("fcntl", path))
        }
        return fd
    }
}
