/// The database schema as a list of migrations; PRAGMA user_version counts those applied. A new version
/// appends a migration, never edits one, so every older file upgrades step by step.
enum Schema {
    static let migrations: [String] = [
        // 1: networks, endpoints, IPAM allocations, plan journal.
        """
        CREATE TABLE networks (
            name       TEXT PRIMARY KEY NOT NULL,
            driver     TEXT NOT NULL,
            subnet     TEXT NOT NULL,
            gateway    TEXT NOT NULL,
            ip_range   TEXT,
            mtu        INTEGER,
            internal   INTEGER NOT NULL DEFAULT 0,
            options    TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        );
        -- RESTRICT: a network with endpoints is not deleted behind their back.
        CREATE TABLE endpoints (
            network     TEXT NOT NULL REFERENCES networks(name) ON DELETE RESTRICT,
            sandbox     TEXT NOT NULL,
            ifname      TEXT NOT NULL,
            host_ifname TEXT,
            address     TEXT,
            mac         TEXT,
            ports       TEXT NOT NULL DEFAULT '[]',
            created_at  REAL NOT NULL,
            UNIQUE (network, sandbox)
        );
        -- CASCADE: a network's addresses go with it.
        CREATE TABLE allocations (
            network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,
            address TEXT NOT NULL,
            sandbox TEXT,
            UNIQUE (network, address)
        );
        CREATE TABLE journal (
            id         INTEGER PRIMARY KEY,
            operation  TEXT NOT NULL,
            plan       TEXT NOT NULL,
            state      TEXT NOT NULL CHECK (state IN ('planned', 'applied', 'rolled_back', 'failed')),
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX journal_state ON journal(state);
        """,
        // 2: per-endpoint driver state (the CNI driver's ADD result).
        "ALTER TABLE endpoints ADD COLUMN driver_state TEXT;",
        // 3: endpoints are identified by their namespace's netns cookie. `sandbox` keeps the nsfs inode, for
        // people: the kernel reuses inodes, so a newcomer that took a deleted namespace's inode must be able to
        // join the network its predecessor's row still names. One row per network and cookie; rows from before
        // (no cookie) stay one per network and inode. The table is rebuilt to drop UNIQUE (network, sandbox).
        """
        CREATE TABLE endpoints_v3 (
            network      TEXT NOT NULL REFERENCES networks(name) ON DELETE RESTRICT,
            sandbox      TEXT NOT NULL,
            ifname       TEXT NOT NULL,
            host_ifname  TEXT,
            address      TEXT,
            mac          TEXT,
            ports        TEXT NOT NULL DEFAULT '[]',
            created_at   REAL NOT NULL,
            driver_state TEXT,
            cookie       INTEGER
        );
        INSERT INTO endpoints_v3 (network, sandbox, ifname, host_ifname, address, mac, ports, created_at, driver_state)
            SELECT network, sandbox, ifname, host_ifname, address, mac, ports, created_at, driver_state FROM endpoints;
        DROP TABLE endpoints;
        ALTER TABLE endpoints_v3 RENAME TO endpoints;
        CREATE UNIQUE INDEX endpoints_by_cookie ON endpoints(network, cookie) WHERE cookie IS NOT NULL;
        CREATE UNIQUE INDEX endpoints_by_inode ON endpoints(network, sandbox) WHERE cookie IS NULL;
        """,
        // 4: who runs each journaled operation (pid, its start time, the boot), so gc touches only operations
        // whose process is dead; and the host ports an operation claims, checked in the same transaction that
        // journals it, so two operations cannot publish one port.
        """
        ALTER TABLE journal ADD COLUMN owner_pid INTEGER;
        ALTER TABLE journal ADD COLUMN owner_start INTEGER;
        ALTER TABLE journal ADD COLUMN owner_boot TEXT;
        ALTER TABLE journal ADD COLUMN claims TEXT;
        """,
        // 5: a network's host namespace (`--host-ns`) by identity, not only by name: its netns cookie (and the
        // inode, for people). A namespace deleted and re-created under the same name is another namespace, and
        // plans made for the network must not land in it. NULL for the host itself and for rows from before.
        """
        ALTER TABLE networks ADD COLUMN host_cookie INTEGER;
        ALTER TABLE networks ADD COLUMN host_inode INTEGER;
        """,
        // 6: an endpoint's IPv6 address on a dual-stack bridge network (its IPv4 one stays in `address`).
        "ALTER TABLE endpoints ADD COLUMN address6 TEXT;",
    ]

    /// Brings the file up to the newest version. Runs under BEGIN IMMEDIATE and re-reads the version inside,
    /// so two plumbs opening a fresh file at once migrate it once.
    static func migrate(_ db: SQLiteConnection) throws {
        let supported = migrations.count
        let found = try version(db)
        if found == supported { return }
        if found > supported { throw StoreError.schemaTooNew(path: db.path, version: found, supported: supported) }
        try db.exec("BEGIN IMMEDIATE", "upgrading the schema")
        do {
            let current = try version(db)
            guard current <= supported else {
                throw StoreError.schemaTooNew(path: db.path, version: current, supported: supported)
            }
            for v in current..<supported {
                try db.exec(migrations[v], "upgrading the schema to version \(v + 1)")
                try db.exec("PRAGMA user_version = \(v + 1)", "upgrading the schema to version \(v + 1)")
            }
            try db.exec("COMMIT", "upgrading the schema")
        } catch {
            try? db.exec("ROLLBACK", "upgrading the schema")
            throw error
        }
    }

    static func version(_ db: SQLiteConnection) throws -> Int {
        Int(try db.query("PRAGMA user_version", [], "reading the schema version") { $0.int(0) }.first ?? 0)
    }
}
