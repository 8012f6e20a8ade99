import CSQLite
import Foundation
import PlumbSystem

/// Plumb's persistent state (networks, endpoints, IPAM allocations, the plan journal) in one SQLite file.
///
/// Several plumb processes may run at once: every change runs in a BEGIN IMMEDIATE transaction, which takes
/// the file's write lock up front (waiting up to 5 s for another writer), so read-check-write sequences such
/// as "find the lowest free address, then take it" are atomic across processes. WAL mode lets readers
/// proceed while one writes. Within a process, one connection is shared by all threads under a lock.
public final class StateStore: @unchecked Sendable {
    public let path: String
    let db: SQLiteConnection
    /// Guards `db` and `depth`. Recursive: store methods run inside `transaction` bodies on the same thread.
    private let lock = NSRecursiveLock()
    /// Open transactions on this connection: 0 none, 1 BEGIN, >1 nested savepoints.
    private var depth = 0

    /// Opens (creating when missing) the database at `path` and its directory (mode 0700).
    public init(path: String) throws {
        self.path = path
        try Self.makeDirectory(for: path)
        try Self.requireTrusted(path)
        db = try SQLiteConnection(path: path)
        try configure()
        try Schema.migrate(db)
    }

    private func configure() throws {
        // The wait for another process's write lock, instead of failing at once.
        sqlite3_busy_timeout(db.handle, 5000)
        // Per connection and off by default; endpoint and allocation rows rely on it.
        try db.exec("PRAGMA foreign_keys = ON", "enabling foreign keys")
        let mode = try retryingWhileBusy {
            try db.query("PRAGMA journal_mode = WAL", [], "switching to WAL mode") { $0.text(0) }.first
        }
        guard mode?.lowercased() == "wal" else {
            throw StoreError.cannotOpen(path, reason: "it cannot use WAL mode (journal mode stays \(mode ?? "unknown")): put it on a local filesystem")
        }
        // In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits, but it also takes
        // down every network they describe (links and namespaces do not survive a reboot).
        try db.exec("PRAGMA synchronous = NORMAL", "setting synchronous mode")
        // Keep the WAL between processes (no checkpoint and delete on every exit); a smaller automatic
        // checkpoint keeps the WAL, which the next process's open scans, under a megabyte.
        plumb_sqlite_keep_wal(db.handle)
        try db.exec("PRAGMA wal_autocheckpoint = 200", "setting the WAL checkpoint size")
    }

    /// Retries `body` while it fails with StoreError.busy, for up to 5 s. Needed where SQLite reports a lock
    /// at once instead of calling the busy handler: switching a fresh file to WAL while other processes open
    /// it too (the busy handler would risk a deadlock there, so SQLite leaves the waiting to us).
    private func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(5)
        while true {
            do {
                return try body()
            } catch StoreError.busy where Date() < deadline {
                usleep(UInt32.random(in: 2_000...20_000))
            }
        }
    }

    /// Creates the parent directories of `path` that are missing, each 0700: the state names every network
    /// and container, so only root reads it.
    static func makeDirectory(for path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if dir.isEmpty { return }
        var current = dir.hasPrefix("/") ? "" : "."
        for component in dir.split(separator: "/") {
            current += "/" + component
            var st = stat()
            if stat(current, &st) == 0 {
                guard st.st_mode & S_IFMT == S_IFDIR else {
                    throw StoreError.cannotCreateDirectory(dir, reason: "\(current) exists and is not a directory")
                }
                continue
            }
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw StoreError.cannotCreateDirectory(dir, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Refuses a state store that anyone but root (the effective user) could have written: `gc` carries out the
    /// journal's plans as root, so a writable directory or database would run another user's plugin binary
    /// or firewall batch as root. Checks the directory (not a symlink, fstat of the opened descriptor, its
    /// parents), then creates the database 0600 when missing (SQLite gives its -wal and -shm the database's
    /// mode and owner) or checks the existing one and its -wal, -shm and -journal files.
    static func requireTrusted(_ path: String) throws {
        let dirPath = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        do {
            let dir = try TrustedFiles.openDirectory(dirPath.isEmpty ? "." : dirPath)
            _ = try TrustedFiles.openFile(name, in: dir, path: path, create: true)
            for suffix in ["-wal", "-shm", "-journal"] {
                _ = try TrustedFiles.openFile(name + suffix, in: dir, path: path + suffix, create: false)
            }
        } catch .untrusted(let path, let owner, let mode, let problem) {
            throw StoreError.untrusted(path: path, owner: owner, mode: mode, problem: problem)
        } catch .system(let e) {
            throw StoreError.cannotOpen(path, reason: "\(e)")
        }
    }

    /// Runs `body` as one transaction: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when it throws. Nested calls
    /// become savepoints, so an inner failure undoes only the inner part (and the outer body decides).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let level = depth
        try db.exec(level == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT plumb_\(level)", "starting a transaction")
        depth += 1
        defer { depth -= 1 }
        let result: T
        do {
            result = try body()
        } catch {
            if level == 0 {
                try? db.exec("ROLLBACK", "rolling back")
            } else {
                try? db.exec("ROLLBACK TO plumb_\(level); RELEASE plumb_\(level)", "rolling back a savepoint")
            }
            throw error
        }
        do {
            try db.exec(level == 0 ? "COMMIT" : "RELEASE plumb_\(level)", "committing")
        } catch {
            if level == 0 { try? db.exec("ROLLBACK", "rolling back") }
            throw error
        }
        return result
    }

    /// Runs reads under the lock only: single statements are atomic, and they take no write lock that would
    /// make other processes wait.
    func read<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    static var now: Double { Date().timeIntervalSince1970 }

    // JSON columns (options, ports): sorted keys, so equal values are equal text; slashes unescaped, so paths
    // read plainly in the sqlite3 shell.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt(path: path, detail: "\(what) is not valid JSON (\(text.prefix(80)))")
        }
    }
}
