import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel
import PlumbSystem

/// What crash recovery stands on, without root: each journal entry names its process, a connect's port claims
/// are visible while it runs, "applied" and the store rows commit together, and the operation lock.
final class StoreRecoveryTests: StoreTestCase {
    func testAnEntryRecordsThisProcessAsItsLiveOwner() throws {
        let store = try openStore()
        _ = try store.journalBegin(operation: "net create web", plan: "{}")
        let entry = try XCTUnwrap(try store.journal(states: [.planned]).first)
        XCTAssertEqual(entry.owner, OperationOwner.current)
        XCTAssertEqual(entry.owner?.pid, getpid())
        XCTAssertGreaterThan(entry.owner?.startTime ?? 0, 0)
        XCTAssertTrue(entry.owner?.isAlive == true)
    }

    func testAnOwnerIsDeadWhenItsPidIsGoneOrReused() {
        let me = OperationOwner.current
        XCTAssertTrue(me.isAlive)
        var reused = me
        reused.startTime += 1   // the same pid, another process
        XCTAssertFalse(reused.isAlive)
        var otherBoot = me
        otherBoot.bootID = "00000000-0000-0000-0000-000000000000"
        XCTAssertFalse(otherBoot.isAlive)
        XCTAssertFalse(OperationOwner(pid: Int32.max, startTime: 1, bootID: me.bootID).isAlive)
    }

    func testPortsClaimedByARunningOperationAreVisibleUntilItEnds() throws {
        let store = try openStore()
        let port = try PortMapping.parse("18399:80")
        let id = try store.journalBegin(operation: "net connect web a", plan: "{}", claims: [port])
        XCTAssertEqual(try store.claimedPorts().map(\.port), [port])
        XCTAssertEqual(try store.claimedPorts().map(\.entry), [id])
        try store.journalSet(id, state: .applied)
        XCTAssertTrue(try store.claimedPorts().isEmpty, "an applied connect's ports are its endpoints' now")
    }

    func testAppliedAndTheStoreRowsCommitTogether() throws {
        let store = try openStore()
        let id = try store.journalBegin(operation: "net create web", plan: "{}")
        struct Refused: Error {}
        XCTAssertThrowsError(try store.journalFinish(id, state: .applied) {
            try store.createNetwork(network("web"))
            throw Refused()
        })
        XCTAssertEqual(try store.journal(states: [.planned]).map(\.id), [id], "still planned: nothing was recorded")
        XCTAssertNil(try store.network(named: "web"), "and the row went with it")
        try store.journalFinish(id, state: .applied) { try store.createNetwork(network("web")) }
        XCTAssertEqual(try store.journal(states: [.applied]).map(\.id), [id])
        XCTAssertNotNil(try store.network(named: "web"))
    }

    func testGcWaitsForOperationsAndOperationsShareTheLock() throws {
        let store = try openStore()
        do {
            let op1 = try store.operationLock(exclusive: false)
            let op2 = try store.operationLock(exclusive: false, timeout: 0.1)   // operations never wait for each other
            XCTAssertThrowsError(try store.operationLock(exclusive: true, timeout: 0.1)) { error in
                XCTAssertTrue("\(error)".contains("another plumb is changing networks"), "\(error)")
            }
            withExtendedLifetime((op1, op2)) {}
        }
        do {
            let gc = try store.operationLock(exclusive: true, timeout: 0.1)
            XCTAssertThrowsError(try store.operationLock(exclusive: false, timeout: 0.1)) { error in
                XCTAssertTrue("\(error)".contains("plumb gc is running"), "\(error)")
            }
            withExtendedLifetime(gc) {}
        }
        XCTAssertNoThrow(try store.operationLock(exclusive: false, timeout: 0.1))
    }

    func testTeardownsAreFinishedAndBuildUpsUndone() {
        XCTAssertTrue(PlanOperation.netRemove(networks: ["web"], force: true).isTeardown)
        XCTAssertTrue(PlanOperation.netDisconnect(network: "web", endpoints: ["1"]).isTeardown)
        XCTAssertTrue(PlanOperation.nsRemove(name: "a").isTeardown)
        XCTAssertFalse(PlanOperation.netCreate(network: "web").isTeardown)
        XCTAssertFalse(PlanOperation.netConnect(network: "web", targets: ["a"]).isTeardown)
        XCTAssertFalse(PlanOperation.nsAdd(name: "a").isTeardown)
    }
}
