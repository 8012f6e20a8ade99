import XCTest
@testable import PlumbKernel
import PlumbModel

/// A rootless Podman whose XDG_RUNTIME_DIR is not /run/user/UID (a session without pam_systemd): its run root,
/// with the container's pidfile, is found from conmon's environment, so the container is proven by Podman's own
/// file rather than only by conmon's command line.
final class RootlessRuntimeDirTests: XCTestCase {
    let id = "3f6c1b0c7c2e4a0d9e5b8a7f6e5d4c3b2a190807f6e5d4c3b2a19080706f5e4d"
    let alice = NamespaceOwner(usernsId: 4026532174, uid: 1000, user: "alice")

    func fakeRoot(conmonEnvironment: String?) throws -> FakeRoot {
        let root = try FakeRoot()
        try root.file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n")
        try root.file("/home/alice/.local/share/containers/storage/overlay-containers/containers.json",
                      #"[{"id":"\#(id)","names":["rl-xdg"]}]"#)
        try root.file("/tmp/pt-xdg-alice/containers/overlay-containers/\(id)/userdata/pidfile", "8100\n")
        try root.process(8090, comm: "conmon", ppid: 1, argv: ["/usr/bin/conmon", "--api-version", "1", "-c", id, "-n", "rl-xdg"])
        try root.process(8100, comm: "sleep", ppid: 8090, argv: ["sleep", "120"])
        if let conmonEnvironment { try root.file("/proc/8090/environ", conmonEnvironment) }
        return root
    }

    func attribute(_ root: FakeRoot) -> [Container] {
        let ns = NamespaceEvidence(id: 9, processes: [(pid: 8100, comm: "sleep")], owner: alice)
        return ContainerAttributor(root: root.path).attribute([ns])[9] ?? []
    }

    func testPidfileUnderARuntimeDirNamedByConmonsEnvironment() throws {
        let root = try fakeRoot(conmonEnvironment: "HOME=/home/alice\u{0}XDG_RUNTIME_DIR=/tmp/pt-xdg-alice/\u{0}PATH=/usr/bin\u{0}")
        XCTAssertEqual(attribute(root), [Container(runtime: .podman, id: id, name: "rl-xdg",
                                                   source: "/tmp/pt-xdg-alice/containers/overlay-containers/\(id)/userdata/pidfile")])
    }

    func testWithoutTheEnvironmentOnlyConmonsCommandLineNamesIt() throws {
        let root = try fakeRoot(conmonEnvironment: nil)
        XCTAssertEqual(attribute(root), [Container(runtime: .podman, id: id, name: "rl-xdg", source: "cmdline:8090")])
    }

    func testANamespaceOfAnotherOwnerDoesNotLendItsDirectory() throws {
        let root = try fakeRoot(conmonEnvironment: "XDG_RUNTIME_DIR=/tmp/pt-xdg-alice\u{0}")
        let bob = NamespaceOwner(usernsId: 5, uid: 1001, user: "bob")
        let found = RootlessRuntimeDir.find([NamespaceEvidence(id: 9, processes: [(pid: 8100, comm: "sleep")], owner: bob)],
                                            processes: ProcessCache(fs: RootFS(root.path)))
        XCTAssertEqual(found, [1001: ["/tmp/pt-xdg-alice"]], "found under bob's uid, so only bob's namespaces use it")
        XCTAssertEqual(RootlessRuntimeDir.find([NamespaceEvidence(id: 9, processes: [(pid: 8100, comm: "sleep")], owner: nil)],
                                               processes: ProcessCache(fs: RootFS(root.path))), [:],
                       "a namespace of the host's user namespace reads no environment")
    }

    func testOnlyPlainAbsolutePathsAreUsed() {
        XCTAssertEqual(RootlessRuntimeDir.usable("/tmp/xdg/"), "/tmp/xdg")
        for bad in ["", "/", "relative/dir", "/tmp/../etc", "/tmp//x", "/tmp/./x"] {
            XCTAssertNil(RootlessRuntimeDir.usable(bad), bad)
        }
    }
}
