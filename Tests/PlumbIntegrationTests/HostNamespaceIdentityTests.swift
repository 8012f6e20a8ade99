import Foundation
import XCTest

/// A network built inside a `--host-ns` namespace remembers which namespace that was (its netns cookie), not
/// only its name. When the namespace is deleted and another is created under the same name, nothing of the
/// newcomer is touched on the network's behalf, `net inspect` reports the drift instead of failing, and `net rm`
/// and `gc` remove what is left in the store.
final class HostNamespaceIdentityTests: StateDirTestCase {
    var a = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        a = try namespace("a")
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    /// The network's namespace is replaced by a newcomer of the same name that has a bridge of the network's
    /// bridge name and a rule of its own: connect is refused, `net rm --force` deletes nothing in it.
    func testANamespaceRecreatedUnderTheSameNameIsNeverActedIn() throws {
        let br = lab.linkName("ib")
        var r = try plumb("net", "create", "ptident", "--subnet", "10.213.150.0/24", "--bridge", br, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        let created = try json(r.stdout)
        let oldInode = try inode(home)
        XCTAssertEqual((created["hostNamespaceInode"] as? NSNumber)?.stringValue, oldInode, "the inode is stored, for display")
        XCTAssertNotNil(created["hostNamespaceCookie"], "the identity is stored")
        XCTAssertEqual(try plumb("net", "connect", "ptident", a).status, 0)

        // Behind Plumb's back: the namespace goes, another takes its name, with a bridge of the same name and
        // a rule that is not Plumb's.
        try Shell.run("ip", "netns", "del", home)
        try Shell.run("ip", "netns", "add", home)
        try lab.ip(home, "link", "add", br, "type", "bridge")
        try Shell.run("ip", "netns", "exec", home, "iptables", "-A", "FORWARD", "-i", br, "-j", "ACCEPT")
        let linksBefore = try Shell.run("ip", "-n", home, "-o", "link", "show")
        let rulesBefore = try Shell.run("ip", "netns", "exec", home, "iptables-save")

        let b = try lab.addNamespace("b")
        r = try plumb("net", "connect", "ptident", b)
        XCTAssertEqual(r.status, 4, "its host namespace is gone (not found): \(r.stdout) \(r.stderr)")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("net:[\(oldInode)]") && r.stderr.contains("another namespace"), r.stderr)
        XCTAssertTrue(r.stderr.contains("plumb net rm ptident --force"), r.stderr)

        // inspect reports it as drift, and says so in one place.
        r = try plumb("net", "inspect", "ptident", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        let drift = try XCTUnwrap(try json(r.stdout)["drift"] as? [String])
        XCTAssertTrue(drift.contains { $0.contains("host namespace") && $0.contains("is gone") && $0.contains("another namespace") }, "\(drift)")

        r = try plumb("net", "rm", "ptident", "--force")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("not found: host namespace"), r.stdout)
        XCTAssertEqual(try Shell.run("ip", "-n", home, "-o", "link", "show"), linksBefore, "the newcomer's bridge of that name stays")
        func rules(_ save: String) -> [Substring] { save.split(separator: "\n").filter { !$0.hasPrefix("#") } }
        XCTAssertEqual(rules(try Shell.run("ip", "netns", "exec", home, "iptables-save")), rules(rulesBefore), "and its rules")
        XCTAssertEqual(try plumb("net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }

    /// The host namespace deleted (not re-created): inspect reports drift, gc removes the network's rows, from
    /// any --host-ns.
    func testInspectReportsAGoneHostNamespaceAndGcRemovesItsRows() throws {
        XCTAssertEqual(try plumb("net", "create", "ptgoneh", "--subnet", "10.213.151.0/24", "--bridge", lab.linkName("gb")).status, 0)
        XCTAssertEqual(try plumb("net", "connect", "ptgoneh", a, "-p", "18151:80").status, 0)
        try Shell.run("ip", "netns", "del", home)

        var r = try plumb("net", "inspect", "ptgoneh")
        XCTAssertEqual(r.status, 0, "drift is reported, not an error: \(r.stderr)")
        XCTAssertTrue(r.stdout.contains("host namespace netns \(home)") && r.stdout.contains("is gone"), r.stdout)

        // gc run for another host namespace still reconciles this network, in its own one.
        let other = try lab.addNamespace("ot")
        r = try plumb("gc", "--dry-run", hostNs: other)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("network ptgoneh: its host namespace"), r.stdout)
        XCTAssertNotEqual(try plumb("net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]",
                          "a dry run keeps the rows")
        r = try plumb("gc", hostNs: other)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("ptgoneh"), r.stdout)
        XCTAssertEqual(try plumb("net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
        XCTAssertTrue(try Shell.run("ip", "-n", a, "-o", "link", "show").contains("lo"), "the endpoint's namespace is untouched")
    }
}
