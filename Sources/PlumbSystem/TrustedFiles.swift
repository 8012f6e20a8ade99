import Glibc

/// Why a directory or file that Plumb (as root) would act on was refused: someone other than Plumb's own user
/// could have written it. The state database's journal holds plans that `plumb gc` carries out as root (CNI
/// plugin paths, firewall batches), so a state directory another user can write is a way to run code as root.
public enum TrustedPathError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `problem` says what is wrong, e.g. "belongs to uid 1000" or "is writable by group and others".
    case untrusted(path: String, owner: uid_t, mode: mode_t, problem: String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .untrusted(let path, let owner, let mode, let problem):
            return "\(path) \(problem) (owner uid \(owner), mode \(TrustedFiles.octal(mode)))"
        case .system(let e): return "\(e)"
        }
    }
}

/// The checks behind "trust only what root wrote": a path is trusted when it belongs to the effective user
/// (root) and nobody else can write it, and neither can anyone else replace it: every directory above it
/// belongs to root or the effective user and is not writable by others, unless sticky (like /tmp, where
/// others cannot rename what is not theirs). This is OpenSSH's StrictModes rule.
public enum TrustedFiles {
    /// Opens the directory `path` and checks it and its ancestors. The final component must not be a symbolic
    /// link: it is opened with O_NOFOLLOW and the checks run on that descriptor (fstat), so what is checked is
    /// what is used.
    public static func openDirectory(_ path: String) throws(TrustedPathError) -> FileDescriptor {
        guard let fd = FileDescriptor.openIfPresent(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) else {
            let e = errno
            var st = stat()
            if e == ELOOP || e == ENOTDIR, lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFLNK {
                throw .untrusted(path: path, owner: st.st_uid, mode: st.st_mode,
                                 problem: "is a symbolic link (give the real directory)")
            }
            throw .system(SystemError("open", path, errno: e))
        }
        let st: stat
        do { st = try fd.status() } catch { throw .system(error) }
        try requirePrivate(st, path: path)
        try checkAncestors(of: path)
        return fd
    }

    /// Opens `name` inside the checked directory `dir` for reading and writing: a regular file with one link,
    /// belonging to the effective user and writable by nobody else. With `create`, a missing file is created
    /// 0600; without, a missing file gives nil.
    public static func openFile(_ name: String, in dir: borrowing FileDescriptor, path: String,
                                create: Bool) throws(TrustedPathError) -> FileDescriptor? {
        var fd: FileDescriptor? = nil
        // Twice at most: when another plumb creates the file between our two opens, open theirs.
        for _ in 0..<2 {
            fd = FileDescriptor.openIfPresent(name, O_RDWR | O_NOFOLLOW, relativeTo: dir.rawValue)
            if fd != nil || errno != ENOENT { break }
            guard create else { return nil }
            fd = FileDescriptor.openIfPresent(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600, relativeTo: dir.rawValue)
            if fd != nil || errno != EEXIST { break }
        }
        guard let file = fd else {
            let e = errno
            var st = stat()
            if e == ELOOP, fstatat(dir.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                throw .untrusted(path: path, owner: st.st_uid, mode: st.st_mode, problem: "is a symbolic link")
            }
            throw .system(SystemError("open", path, errno: e))
        }
        let st: stat
        do { st = try file.status() } catch { throw .system(error) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw .untrusted(path: path, owner: st.st_uid, mode: st.st_mode, problem: "is not a regular file")
        }
        // A sidecar (-wal, -shm) that another plumb's SQLite unlinked between our open and fstat (it removes
        // them when its last connection closes) is gone: nobody can reach it by its path, so it is no threat.
        if st.st_nlink == 0 && !create { return nil }
        guard st.st_nlink == 1 else {
            throw .untrusted(path: path, owner: st.st_uid, mode: st.st_mode, problem: "has \(st.st_nlink) hard links")
        }
        try requirePrivate(st, path: path)
        return file
    }

    /// Owned by the effective user, and writable by nobody else.
    static func requirePrivate(_ st: stat, path: String) throws(TrustedPathError) {
        if st.st_uid != geteuid() {
            throw .untrusted(path: path, owner: st.st_uid, mode: st.st_mode,
                             problem: "belongs to uid \(st.st_uid), not to uid \(geteuid()) that plumb runs as")
        }
        if let who = writers(st.st_mode) {
            throw .untrusted(path: path, owner: st.st_uid, mode: st.st_mode, problem: "is writable by \(who)")
        }
    }

    /// "group", "others" or "group and others" when those may write, else nil.
    static func writers(_ mode: mode_t) -> String? {
        switch (mode & S_IWGRP != 0, mode & S_IWOTH != 0) {
        case (true, true): return "group and others"
        case (true, false): return "its group"
        case (false, true): return "others"
        case (false, false): return nil
        }
    }

    /// Every directory above `path`, as written and as resolved (symbolic links followed), belongs to root or
    /// the effective user and is not writable by others unless sticky: otherwise someone could rename the
    /// checked directory away and put their own in its place after the check.
    static func checkAncestors(of path: String) throws(TrustedPathError) {
        let absolute = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        var chains = [absolute]
        if let real = realpath(absolute, nil) {
            chains.append(String(cString: real))
            free(real)
        }
        for chain in chains {
            var parents = chain.split(separator: "/").map(String.init).dropLast()
            while true {
                let dir = "/" + parents.joined(separator: "/")
                var st = stat()
                if stat(dir, &st) == 0 {
                    if st.st_uid != 0 && st.st_uid != geteuid() {
                        throw .untrusted(path: dir, owner: st.st_uid, mode: st.st_mode,
                                         problem: "(a parent of \(path)) belongs to uid \(st.st_uid), who could replace what is in it")
                    }
                    if st.st_mode & S_ISVTX == 0, let who = writers(st.st_mode) {
                        throw .untrusted(path: dir, owner: st.st_uid, mode: st.st_mode,
                                         problem: "(a parent of \(path)) is writable by \(who), who could replace what is in it")
                    }
                }
                if parents.isEmpty { break }
                parents.removeLast()
            }
        }
    }

    static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// A mode as `ls -l` and chmod people read it: 4 octal digits of permission bits.
    public static func octal(_ mode: mode_t) -> String {
        let s = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
