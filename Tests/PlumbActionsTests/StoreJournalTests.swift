import Foundation
import XCTest
@testable import PlumbActions

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

    func testStateNamesAreTheColumnValues() {
        XCTAssertEqual(JournalState.allCases.map(\.rawValue), ["planned", "applied", "rolled_back", "failed"])
    }
}
