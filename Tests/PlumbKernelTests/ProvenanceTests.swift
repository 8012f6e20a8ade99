import XCTest
@testable import PlumbKernel
import PlumbModel

/// A root file system with just /proc/PID/{stat,cmdline,mountinfo}, for the readers that look at a namespace's
/// processes and their parents.
final class FakeRoot {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("pt-root-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/proc", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func process(_ pid: Int32, comm: String, ppid: Int32, argv: [String], mountinfo: String? = nil) throws {
        let dir = "\(path)/proc/\(pid)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "\(pid) (\(comm)) S \(ppid) \(pid) \(pid) 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1\n"
            .write(toFile: dir + "/stat", atomically: false, encoding: .utf8)
        try argv.map { $0 + "\u{0}" }.joined().write(toFile: dir + "/cmdline", atomically: false, encoding: .utf8)
        if let mountinfo { try mountinfo.write(toFile: dir + "/mountinfo", atomically: false, encoding: .utf8) }
    }

    func file(_ relative: String, _ text: String) throws {
        let full = path + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }
}

final class NspawnMachineTests: XCTestCase {
    func testMachineNameFromEveryOptionSpelling() {
        func name(_ args: String...) -> String? { NspawnMachine.machineName(argv: ["systemd-nspawn"] + args) }
        XCTAssertEqual(name("-M", "web", "-D", "/srv/x"), "web")
        XCTAssertEqual(name("--machine=web"), "web")
        XCTAssertEqual(name("--machine", "web"), "web")
        XCTAssertEqual(name("-qbMweb"), "web", "grouped short options, the value glued on")
        XCTAssertEqual(name("--register=no", "-D", "/var/lib/machines/debian/"), "debian", "named after the directory")
        XCTAssertEqual(name("--directory=/srv/box"), "box")
        XCTAssertEqual(name("-i", "/images/fedora.raw"), "fedora")
        XCTAssertEqual(name("--bind", "/a:/b", "-D", "/srv/box", "/bin/sh", "-M", "not-this"), "box",
                       "a value taken by --bind is not the command; options after the command are the container's")
        XCTAssertNil(name("--network-veth", "/bin/sh"))
    }

    func testInitWhoseParentIsSystemdNspawnIsNamedAfterItsMachine() throws {
        let root = try FakeRoot()
        try root.process(700, comm: "systemd-nspawn", ppid: 1,
                         argv: ["systemd-nspawn", "--register=no", "--keep-unit", "--network-veth", "-q", "-D", "/srv/pt-box", "/bin/sleep", "20"])
        try root.process(702, comm: "sleep", ppid: 700, argv: ["/bin/sleep", "20"])
        let found = ContainerAttributor(root: root.path).attribute([NamespaceEvidence(id: 1, processes: [(702, "sleep")])])[1]
        XCTAssertEqual(found, [Container(runtime: .nspawn, id: "pt-box", name: "pt-box", source: "cmdline:700")])
    }

    func testPropagateDirectoryInTheMountTableNamesTheMachineWhenTheParentIsGone() throws {
        let root = try FakeRoot()
        let mountinfo = """
        117 116 254:0 / / rw,relatime - ext4 /dev/vda rw
        119 117 254:0 /run/systemd/nspawn/propagate/pt-web /run/host/incoming ro,relatime master:10 - ext4 /dev/vda rw

        """
        try root.process(900, comm: "init", ppid: 1, argv: ["/sbin/init"], mountinfo: mountinfo)
        try FileManager.default.createDirectory(atPath: root.path + "/run/systemd/nspawn/propagate/pt-web",
                                                withIntermediateDirectories: true)
        let found = ContainerAttributor(root: root.path).attribute([NamespaceEvidence(id: 1, processes: [(900, "init")])])[1]
        XCTAssertEqual(found, [Container(runtime: .nspawn, id: "pt-web", name: "pt-web",
                                         source: "/run/systemd/nspawn/propagate/pt-web")])
    }
}

final class ProvenanceTests: XCTestCase {
    func explain(_ root: FakeRoot, _ ns: NamespaceEvidence) -> Unattributed? {
        ContainerAttributor(root: root.path).explain([ns])[ns.id]
    }

    func testProcessAndItsParentAreTheEvidence() throws {
        let root = try FakeRoot()
        try root.process(800, comm: "unshare", ppid: 1, argv: ["unshare", "--fork", "-n", "sleep", "100"])
        try root.process(801, comm: "sleep", ppid: 800, argv: ["sleep", "100"])
        let why = explain(root, NamespaceEvidence(id: 3, processes: [(801, "sleep")]))
        XCTAssertEqual(why?.maker, "unshare")
        XCTAssertEqual(why?.evidence, "pid 801 `sleep 100`, child of unshare (pid 800)")
        XCTAssertEqual(why?.reason, "no container runtime's state, cgroup or parent process names it")
    }

    func testProcessWithUnknownParentIsNamedAfterItself() throws {
        let root = try FakeRoot()
        try root.process(10, comm: "bash", ppid: 1, argv: ["-bash"])
        try root.process(11, comm: "vpnd", ppid: 10, argv: ["/usr/sbin/vpnd", "-f"])
        XCTAssertEqual(explain(root, NamespaceEvidence(id: 3, processes: [(11, "vpnd")]))?.maker, "vpnd")
    }

    func testIPNetnsNameWithoutProcessIsTheBindMount() throws {
        let root = try FakeRoot()
        let why = explain(root, NamespaceEvidence(id: 4, paths: ["/run/netns/lab"],
                                                  heldBy: [Holder(kind: .bindMount, path: "/run/netns/lab")]))
        XCTAssertEqual(why, Unattributed(maker: "ip netns", reason: "no container runtime's state, cgroup or parent process names it",
                                         evidence: "bind mount /run/netns/lab"))
    }

    func testFdHolderNamesTheProcessAndTheOwnerIsInTheReason() throws {
        let root = try FakeRoot()
        try root.process(812, comm: "python3", ppid: 1, argv: ["python3", "-m", "holder"])
        let owner = NamespaceOwner(usernsId: 4026532281, uid: 1000, user: "alice")
        let why = explain(root, NamespaceEvidence(id: 5, heldBy: [Holder(kind: .fd, pid: 812, fd: 7)], owner: owner))
        XCTAssertEqual(why?.maker, "fd of python3")
        XCTAssertEqual(why?.evidence, "fd 7 of pid 812 (python3 -m holder)")
        XCTAssertEqual(why?.reason, "owned by the user namespace of user alice (uid 1000); no rootless runtime's state names it")
    }

    func testStrayBindMountSaysWhoseMountNamespaceHasIt() throws {
        let root = try FakeRoot()
        try root.process(4000, comm: "catatonit", ppid: 1, argv: ["catatonit", "-P"])
        let why = explain(root, NamespaceEvidence(id: 6, heldBy: [Holder(kind: .bindMount, pid: 4000, path: "/tmp/x/ns")]))
        XCTAssertEqual(why?.maker, "bind mount")
        XCTAssertEqual(why?.evidence, "bind mount /tmp/x/ns in the mount namespace of pid 4000 (catatonit -P)")
    }
}

final class PasswdTests: XCTestCase {
    func testNamesAndHomesByUIDFirstEntryWins() {
        let p = Passwd(text: "root:x:0:0:root:/root:/bin/bash\n# comment\nalice:x:1000:1000:A:/home/alice:/bin/sh\ntwin:x:1000:1000::/x:/bin/sh\nbad:x:notanumber:0::/:/bin/sh\n")
        XCTAssertEqual(p.byUID[1000], Passwd.User(name: "alice", uid: 1000, home: "/home/alice"))
        XCTAssertEqual(p.byUID[0]?.home, "/root")
        XCTAssertEqual(p.byUID.count, 2)
    }
}
