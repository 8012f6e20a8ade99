import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

final class StoreJournalTests: StoreTestCase {
    func testBeginListsAsPlanned() throws {
        let store = try openStore()
        let before = Date().timeIntervalSince1970
        let a = try store.journalBegin(operation: "net create web", plan: #"{"steps":[]}"#)
        let b = try store.journalBegin(operation: "net connect web blue", plan: "{}")
        XCTAssertLessThan(a, b)
        let entries = try store.journal(states: [.planned])
        XCTAssertEqual(entries.map(\.id), [a, b])   // oldest first
        XCTAssertEqual(entries[0].plan, #"{"steps":[]}"#)
        XCTAssertEqual(entries[0].state, .planned)
        XCTAssertGreaterThanOrEqual(entries[0].createdAt, before)
        XCTAssertEqual(entries[0].createdAt, entries[0].updatedAt)
    }

    func testTransitions() throws {
        let store = try openStore()
        let applied = try store.journalBegin(operation: "a", plan: "{}")
        let rolledBack = try store.journalBegin(operation: "b", plan: "{}")
        let failed = try store.journalBegin(operation: "c", plan: "{}")
        let open = try store.journalBegin(operation: "d", plan: "{}")
        try store.journalSet(applied, state: .applied)
        try store.journalSet(rolledBack, state: .rolledBack)
        try store.journalSet(failed, state: .failed)
        try store.journalSet(applied, state: .applied)            // same state again: no-op
        XCTAssertEqual(try store.journal(states: [.planned]).map(\.id), [open])
        XCTAssertEqual(try store.journal(states: [.applied, .failed]).map(\.id), [applied, failed])
        XCTAssertEqual(try store.journal(states: []).map(\.state), [.applied, .rolledBack, .failed, .planned])
        // rolled_back is final; applied and failed can still be undone.
        let e = assertThrows(.journalTransition(id: rolledBack, from: .rolledBack, to: .applied)) {
            try store.journalSet(rolledBack, state: .applied)
        }
        XCTAssertEqual(e, "journal entry \(rolledBack) is rolled_back and cannot become applied")
        assertThrows(.journalTransition(id: applied, from: .applied, to: .planned)) { try store.journalSet(applied, state: .planned) }
        assertThrows(.journalTransition(id: applied, from: .applied, to: .failed)) { try store.journalSet(applied, state: .failed) }
        try store.journalSet(failed, state: .rolledBack)
        try store.journalSet(applied, state: .rolledBack)
        assertThrows(.journalEntryNotFound(999)) { try store.journalSet(999, state: .applied) }
        let raw = try store.db.query("SELECT state FROM journal ORDER BY id", [], "test") { $0.text(0) }
        XCTAssertEqual(raw, ["rolled_back", "rolled_back", "rolled_back", "planned"])
    }

    func testUpdatedAtMoves() throws {
        let store = try openStore()
        let id = try store.journalBegin(operation: "a", plan: "{}")
        try store.db.run("UPDATE journal SET created_at = 1, updated_at = 1", [], "test")
        try store.journalSet(id, state: .applied)
        let e = try XCTUnwrap(store.journal(states: [.applied]).first)
        XCTAssertEqual(e.createdAt, 1)
        XCTAssertGreaterThan(e.updatedAt, 1)
    }

    func testPruneKeepsUnfinishedEntries() throws {
        let store = try openStore()
        let ids = try (0..<4).map { try store.journalBegin(operation: "op\($0)", plan: "{}") }
        try store.journalSet(ids[0], state: .applied)
        try store.journalSet(ids[1], state: .rolledBack)
        try store.journalSet(ids[2], state: .failed)
        XCTAssertEqual(try store.pruneJournal(before: 0), 0)
        XCTAssertEqual(try store.pruneJournal(before: Date().timeIntervalSince1970 + 10), 2)
        XCTAssertEqual(try store.journal(states: []).map(\.id), [ids[2], ids[3]])
    }

    /// `count` finished entries updated `age` seconds ago, in one statement (a thousand transactions would be slow).
    func addFinished(_ store: StateStore, count: Int, age: Double, state: String = "applied") throws {
        let t = Date().timeIntervalSince1970 - age
        try store.db.run("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO journal (operation, plan, state, created_at, updated_at) SELECT 'net create x', '{}', ?, ?, ? FROM n
            """, [count, state, t, t], "test")
    }

    func testPruneKeepsAtMostTheNewestFinishedEntries() throws {
        let store = try openStore()
        let planned = try store.journalBegin(operation: "planned", plan: "{}")
        try addFinished(store, count: 1_010, age: 60)
        let failed = try store.journalBegin(operation: "failed", plan: "{}")
        try store.journalSet(failed, state: .failed)
        XCTAssertEqual(try store.pruneJournal(before: 0, keepingAtMost: 1_000), 10)
        let left = try store.journal(states: [])
        XCTAssertEqual(left.filter { $0.state == .applied }.count, 1_000)
        XCTAssertEqual(left.filter { $0.state == .applied }.first?.id, planned + 11, "the oldest ten went")
        XCTAssertEqual(Set(left.filter { $0.state != .applied }.map(\.id)), [planned, failed])
    }

    func testTheDocumentedBoundDropsEntriesOlderThan30Days() throws {
        let store = try openStore()
        try addFinished(store, count: 3, age: 31 * 24 * 3600, state: "rolled_back")
        try addFinished(store, count: 2, age: 29 * 24 * 3600)
        XCTAssertEqual(try store.pruneJournal(), 3)
        XCTAssertEqual(try store.journal(states: []).count, 2)
        XCTAssertEqual(StateStore.journalKeepSeconds, 30 * 24 * 3600)
        XCTAssertEqual(StateStore.journalKeepCount, 1_000)
    }

    func testEverySuccessfulChangePrunesTheJournal() throws {
        let store = try openStore()
        try addFinished(store, count: 4, age: 40 * 24 * 3600)
        try addFinished(store, count: 1_005, age: 60)
        let journal = StoreJournal(store: store)
        let failing = try journal.begin(Plan(operation: .nsAdd(name: "a"), steps: []))
        try journal.finish(failing, applied: false, record: nil)
        XCTAssertEqual(try store.journal(states: []).count, 1_010, "a rolled-back change does not prune")
        let id = try journal.begin(Plan(operation: .nsAdd(name: "b"), steps: []))
        try journal.finish(id, applied: true, record: nil)
        let left = try store.journal(states: [])
        XCTAssertEqual(left.count, StateStore.journalKeepCount)
        XCTAssertEqual(left.last?.id, id, "the change just made is kept")
    }

    func testStateNamesAreTheColumnValues() {
        XCTAssertEqual(JournalState.allCases.map(\.rawValue), ["planned", "applied", "rolled_back", "failed"])
    }
}

/// Journal entries written before plans carried a typed operation: gc and the doctor's undo still read them.
final class LegacyJournalTests: StoreTestCase {
    func testGcReleasesTheAddressesOfAnOldConnectEntry() throws {
        let store = try openStore()
        try store.createNetwork(NetworkRecord(name: "web", config: .bridge(BridgeConfig()), subnet: IPPrefix("10.213.40.0/24")!,
                                              gateway: IPAddress("10.213.40.1")!, createdAt: 0))
        let address = try store.allocate(network: "web", requested: nil, sandbox: "4026532384")
        let old = #"{"operation":"net connect web pt-a","steps":[{"addAddress":{"cidr":"\#(address)/24","link":"eth0","in":{"named":{"_0":"pt-a"}}}}]}"#
        let plan = try JSONDecoder().decode(Plan.self, from: Data(old.utf8))
        XCTAssertEqual(plan.operation, .netConnect(network: "web", targets: ["pt-a"]))
        XCTAssertEqual(NetworkService(store: store).releaseAddresses(of: plan), 1)
        // Released: the same address is handed out again.
        XCTAssertEqual(try store.allocate(network: "web", requested: nil, sandbox: "other"), address)
    }

    func testDoctorUndoFindsAnOldFixEntry() throws {
        let store = try openStore()
        let old = #"{"operation":"doctor fix hairpin:pt-a:eth0","steps":[]}"#
        let id = try store.journalBegin(operation: "doctor fix hairpin:pt-a:eth0", plan: old)
        try store.journalSet(id, state: .applied)
        let other = try store.journalBegin(operation: "net create web", plan: #"{"operation":"net create web","steps":[]}"#)
        try store.journalSet(other, state: .applied)
        let fixes = try DoctorFixService(store: store).appliedFixes()
        XCTAssertEqual(fixes.map(\.findingId), ["hairpin:pt-a:eth0"])
        XCTAssertEqual(try DoctorFixService(store: store).undoPlan().plan.operation, .doctorUndo(findingID: "hairpin:pt-a:eth0"))
    }

    func testNewEntriesStoreTheTypedOperation() throws {
        let store = try openStore()
        let journal = StoreJournal(store: store)
        let plan = Plan(operation: .doctorFix(findingID: "x y"), steps: [])
        let id = try journal.begin(plan)
        let entry = try XCTUnwrap(store.journal(states: [.planned]).first { $0.id == id })
        XCTAssertEqual(entry.operation, "doctor fix x y")
        XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: Data(entry.plan.utf8)), plan)
    }
}
