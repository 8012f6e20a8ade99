import CSQLite

/// A value bound to a statement parameter. Optionals bind NULL when nil.
protocol SQLBindable {
    func bind(to stmt: OpaquePointer, at index: Int32) -> Int32
}

extension String: SQLBindable {
    func bind(to stmt: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_text(stmt, index, self, -1, plumb_sqlite_transient())
    }
}

extension Int64: SQLBindable {
    func bind(to stmt: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(stmt, index, self) }
}

extension Int: SQLBindable {
    func bind(to stmt: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(stmt, index, Int64(self)) }
}

extension Double: SQLBindable {
    func bind(to stmt: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_double(stmt, index, self) }
}

extension Bool: SQLBindable {
    func bind(to stmt: OpaquePointer, at index: Int32) -> Int32 { sqlite3_bind_int64(stmt, index, self ? 1 : 0) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    func bind(to stmt: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .some(let v): return v.bind(to: stmt, at: index)
        case .none: return sqlite3_bind_null(stmt, index)
        }
    }
}

/// The current row of a query.
struct SQLRow {
    let stmt: OpaquePointer

    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }
    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }
    func double(_ i: Int32) -> Double { sqlite3_column_double(stmt, i) }
    func text(_ i: Int32) -> String { sqlite3_column_text(stmt, i).map { String(cString: $0) } ?? "" }
    func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
    func optionalInt(_ i: Int32) -> Int64? { isNull(i) ? nil : int(i) }
}

/// One SQLite connection. It is not shared between threads unguarded: StateStore serialises all use with its
/// lock, so statements and error messages of one caller never interleave with another's.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String

    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw StoreError.cannotOpen(path, reason: message)
        }
        handle = db
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    /// The error for result code `rc` of `operation`, with SQLite's message. A timeout on the lock becomes
    /// StoreError.busy, which says what to do about it.
    func error(_ rc: Int32, _ operation: String) -> StoreError {
        let primary = rc & 0xff
        if primary == SQLITE_BUSY || primary == SQLITE_LOCKED { return .busy(path: path, operation: operation) }
        // SQLite opens files lazily: a path it cannot use, or a file that is not a database, shows up here.
        if primary == SQLITE_CANTOPEN || primary == SQLITE_NOTADB {
            return .cannotOpen(path, reason: String(cString: sqlite3_errmsg(handle)))
        }
        return .sqlite(path: path, operation: operation, code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs statements without parameters or results (DDL, BEGIN/COMMIT).
    func exec(_ sql: String, _ operation: String) throws {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, operation) }
    }

    /// Runs one statement and returns its rows, each mapped by `row`.
    func query<T>(_ sql: String, _ args: [any SQLBindable] = [], _ operation: String,
                  row: (SQLRow) throws -> T) throws -> [T] {
        var stmt: OpaquePointer?
        var rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, operation) }
        defer { sqlite3_finalize(stmt) }
        for (i, a) in args.enumerated() {
            rc = a.bind(to: stmt, at: Int32(i + 1))
            guard rc == SQLITE_OK else { throw error(rc, operation) }
        }
        var out: [T] = []
        while true {
            rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return out }
            guard rc == SQLITE_ROW else { throw error(rc, operation) }
            out.append(try row(SQLRow(stmt: stmt)))
        }
    }

    /// Runs one statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ args: [any SQLBindable] = [], _ operation: String) throws -> Int {
        _ = try query(sql, args, operation) { _ in () }
        return Int(sqlite3_changes(handle))
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
}
