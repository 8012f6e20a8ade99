/// The plan journal: a plan is recorded as planned before its first change and marked after its last, so one
/// left `planned` was interrupted (plumb killed) and is for `plumb gc` to finish or undo. Each entry names the
/// process that runs it (`OperationOwner`): gc touches only entries whose process is dead.
extension StateStore {
    private static let journalColumns = "id, operation, plan, state, created_at, updated_at, owner_pid, owner_start, owner_boot, claims"

    /// Records a plan about to be applied, owned by `owner` (this process), with the host ports it claims;
    /// returns its id. Inside a caller's transaction it commits with the caller's other writes (a connect's
    /// addresses), so an allocation never exists without the entry that explains it.
    public func journalBegin(operation: String, plan: String, owner: OperationOwner = .current,
                             claims: [PortMapping] = []) throws -> Int64 {
        try transaction {
            let t = Self.now
            try db.run("""
                INSERT INTO journal (operation, plan, state, created_at, updated_at, owner_pid, owner_start, owner_boot, claims)
                VALUES (?, ?, 'planned', ?, ?, ?, ?, ?, ?)
                """, [operation, plan, t, t, Int(owner.pid), Int64(bitPattern: owner.startTime), owner.bootID,
                      claims.isEmpty ? nil : try Self.json(claims)], "journaling \(operation)")
            return db.lastInsertRowID
        }
    }

    /// Marks an entry finished and records the operation's result in the store (`record`: network or
    /// endpoint rows) in one transaction, so "journal applied" and "store recorded" never diverge: when
    /// `record` throws, the entry stays as it was.
    public func journalFinish(_ id: Int64, state: JournalState, record: () throws -> Void) throws {
        try transaction {
            try journalSet(id, state: state)
            try record()
        }
    }

    /// The host ports claimed by operations still journaled as planned (running, or interrupted and waiting for
    /// gc: their rules may be in the kernel), with the entry that claims each.
    public func claimedPorts() throws -> [(entry: Int64, operation: String, port: PortMapping)] {
        try journal(states: [.planned]).flatMap { e in e.claims.map { (e.id, e.operation, $0) } }
    }

    /// Moves an entry on. Allowed: planned to any; applied or failed to rolled_back; the same state again.
    public func journalSet(_ id: Int64, state: JournalState) throws {
        try transaction {
            guard let text = try db.query("SELECT state FROM journal WHERE id = ?", [id], "reading journal entry \(id)",
                                          row: { $0.text(0) }).first else {
                throw StoreError.journalEntryNotFound(id)
            }
            guard let current = JournalState(rawValue: text) else {
                throw StoreError.corrupt(path: path, detail: "journal entry \(id) has state '\(text)'")
            }
            guard current.canBecome(state) else { throw StoreError.journalTransition(id: id, from: current, to: state) }
            if current == state { return }
            try db.run("UPDATE journal SET state = ?, updated_at = ? WHERE id = ?", [state.rawValue, Self.now, id],
                       "marking journal entry \(id) \(state.rawValue)")
        }
    }

    /// Entries in any of `states` (every entry when empty), oldest first.
    public func journal(states: Set<JournalState>) throws -> [JournalEntry] {
        let list = states.map(\.rawValue).sorted()
        let filter = list.isEmpty ? "" : "WHERE state IN (\(list.map { _ in "?" }.joined(separator: ", ")))"
        return try read {
            try db.query("SELECT \(Self.journalColumns) FROM journal \(filter) ORDER BY id", list, "reading the journal") { r in
                let id = r.int(0), text = r.text(3)
                guard let state = JournalState(rawValue: text) else {
                    throw StoreError.corrupt(path: path, detail: "journal entry \(id) has state '\(text)'")
                }
                var owner: OperationOwner?
                if let pid = r.optionalInt(6) {
                    owner = OperationOwner(pid: Int32(truncatingIfNeeded: pid), startTime: UInt64(bitPattern: r.int(7)),
                                           bootID: r.text(8))
                }
                let claims = try r.optionalText(9).map { try decodeJSON([PortMapping].self, $0, "claims of journal entry \(id)") }
                return JournalEntry(id: id, operation: r.text(1), plan: r.text(2), state: state,
                                    createdAt: r.double(4), updatedAt: r.double(5), owner: owner, claims: claims ?? [])
            }
        }
    }

    /// How much finished history the journal keeps: entries finished in the last 30 days, at most the newest
    /// 1,000 of them. Planned and failed entries are never pruned (gc and people need them). The bound costs
    /// one thing: a doctor fix applied more than 30 days (or 1,000 changes) ago can no longer be undone by
    /// `plumb doctor --undo`. Applied after every successful change, so the file stays small.
    public static let journalKeepSeconds: Double = 30 * 24 * 3600
    public static let journalKeepCount = 1_000

    /// Prunes with the documented bound (`journalKeepSeconds`, `journalKeepCount`), relative to now.
    @discardableResult
    public func pruneJournal() throws -> Int {
        try pruneJournal(before: Self.now - Self.journalKeepSeconds, keepingAtMost: Self.journalKeepCount)
    }

    /// Deletes finished entries (applied, rolled_back) last updated before `before` (seconds since 1970), and
    /// the oldest finished ones beyond the newest `keepingAtMost`, so the journal does not grow forever;
    /// planned and failed ones stay for gc and for people to look at. Returns how many were deleted.
    @discardableResult
    public func pruneJournal(before: Double, keepingAtMost limit: Int = .max) throws -> Int {
        try transaction {
            try db.run("""
                DELETE FROM journal WHERE state IN ('applied', 'rolled_back') AND (updated_at < ? OR id NOT IN (
                    SELECT id FROM journal WHERE state IN ('applied', 'rolled_back') ORDER BY id DESC LIMIT ?))
                """, [before, limit], "pruning the journal")
        }
    }
}
