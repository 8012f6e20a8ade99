import XCTest
@testable import PlumbKernel
import PlumbModel

/// Rootless Docker (dockerd-rootless.sh) and rootless Podman, attributed from a recorded user's state
/// (Fixtures/containers/rootless): /etc/passwd gives alice (uid 1000) the home /home/alice; rootless Docker's
/// ~/.local/share/docker and its containerd's tasks under /run/user/1000/docker, Podman's overlay storage under
/// ~/.local/share/containers/storage with its run root in /run/user/1000/containers; /proc holds the daemons,
/// shims and conmons as their parents' command lines show them. Ids are sha256 of a label.
final class RootlessAttributionTests: XCTestCase {
    let web = "bc1b2afbdf1474d254ec2e599a8db6f50a03a131df3aa4212d786719aaf7aa9d"        // rootless-web
    let sidecar = "547ad97bfcd6c8a71dec13f4788bab74f6936afe30934721929a4d8f74a804ef"    // rootless-sidecar
    let gone = "568abc75291d9ad9086a3ff93f99a56b400584d16e7685c28049d8a3c3c2b668"       // rootless-gone
    let podWeb = "14073a58f88bbf6b6fe39561b84d7a9c15ef00d9acd3134617e84faaaa0878c6"     // rootless-podman-web
    let podNone = "552224d1257e246a060786a23edc54dbdc52221430f4c76b2d633d7e2eeac958"    // rootless-podman-none
    let elsewhere = "858ef2b6907d3246ff8091d1df385e2b12dca087472035a4d9fffcc65fc903dd"  // rootless-podman-elsewhere
    let alice = NamespaceOwner(usernsId: 4026532174, uid: 1000, user: "alice")
    let docker = "/home/alice/.local/share/docker/containers"
    let storage = "/home/alice/.local/share/containers/storage/overlay-containers"

    var root: String { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/containers/rootless").path }

    func attribute(paths: [String] = [], pids: [Int32] = [], owner: NamespaceOwner?) -> [Container] {
        let ns = NamespaceEvidence(id: 1, paths: paths, processes: pids.map { (pid: $0, comm: "") }, owner: owner)
        return ContainerAttributor(root: root).attribute([ns])[1] ?? []
    }

    // MARK: rootless Docker

    func testSandboxKeyUnderTheUsersRuntimeDirNamesTheContainer() {
        XCTAssertEqual(attribute(paths: ["/run/user/1000/docker/netns/9f8e7d6c5b4a"], owner: alice),
                       [Container(runtime: .docker, id: web, name: "rl-web", source: "\(docker)/\(web)/config.v2.json")])
    }

    func testHomesAreReadOnlyForNamespacesOwnedByThatUser() {
        XCTAssertEqual(attribute(paths: ["/run/user/1000/docker/netns/9f8e7d6c5b4a"], owner: nil), [],
                       "a namespace of the host's user namespace never costs a look into users' homes")
        XCTAssertEqual(attribute(paths: ["/run/user/1000/docker/netns/9f8e7d6c5b4a"],
                                 owner: NamespaceOwner(usernsId: 5, uid: 1001)), [],
                       "another user's namespace is not matched against alice's state")
    }

    func testContainerJoiningAnotherNamespaceIsFoundByItsInitPid() {
        XCTAssertEqual(attribute(pids: [6200], owner: alice),
                       [Container(runtime: .docker, id: sidecar, name: "rl-sidecar", source: "\(docker)/\(sidecar)/config.v2.json")])
    }

    func testShimParentNamesAContainerWhoseConfigIsGone() {
        XCTAssertEqual(attribute(pids: [6300], owner: alice),
                       [Container(runtime: .docker, id: gone, name: String(gone.prefix(12)), source: "cmdline:6290")])
    }

    func testRootlesskitsOwnNamespaceIsNamedAfterTheDaemonAndUser() {
        XCTAssertEqual(attribute(pids: [5000], owner: alice),
                       [Container(runtime: .docker, id: "rootlesskit", name: "rootless docker (alice)", source: "cmdline:4990")])
    }

    func testRootlessDockerStateParsesLikeRootsDocker() {
        let state = RootlessState(fs: RootFS(root), user: Passwd.User(name: "alice", uid: 1000, home: "/home/alice/"))
        XCTAssertEqual(Set(state.docker.byID.keys), [web, sidecar])
        XCTAssertEqual(Set(state.docker.byPid.keys), [6100, 6200])
        XCTAssertEqual(Array(state.docker.bySandboxKey.keys), ["/run/user/1000/docker/netns/9f8e7d6c5b4a"])
        XCTAssertEqual(state.containerd.first?.bundles.byID[web]?.identity.name, "rl-web",
                       "containerd's moby task is Docker's container, named from Docker's config")
    }

    // MARK: rootless Podman

    func testPodmanNetnsPathFromTheGraphRootsBundle() {
        XCTAssertEqual(attribute(paths: ["/run/user/1000/netns/netns-6a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"], owner: alice),
                       [Container(runtime: .podman, id: podWeb, name: "rl-pod-web", source: "\(storage)/\(podWeb)/userdata/config.json")])
    }

    func testNetworkNoneContainerIsFoundByTheRunRootsPidfile() {
        XCTAssertEqual(attribute(pids: [7100], owner: alice),
                       [Container(runtime: .podman, id: podNone, name: "rl-pod-none",
                                  source: "/run/user/1000/containers/overlay-containers/\(podNone)/userdata/pidfile")])
    }

    /// Without a runtime directory (no XDG_RUNTIME_DIR), Podman's run root is /tmp/podman-run-UID/containers: the
    /// recorded state with its run root moved there names the same container by its pidfile there.
    func testRunRootUnderTmpWhenTheUserHasNoRuntimeDirectory() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("pt-rootless-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: root, toPath: copy)
        try FileManager.default.createDirectory(atPath: copy + "/tmp/podman-run-1000", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: copy + "/run/user/1000/containers", toPath: copy + "/tmp/podman-run-1000/containers")
        let ns = NamespaceEvidence(id: 1, processes: [(pid: 7100, comm: "")], owner: alice)
        XCTAssertEqual(ContainerAttributor(root: copy).attribute([ns])[1],
                       [Container(runtime: .podman, id: podNone, name: "rl-pod-none",
                                  source: "/tmp/podman-run-1000/containers/overlay-containers/\(podNone)/userdata/pidfile")])
    }

    func testConmonParentNamesAContainerOfAStorageNotRead() {
        XCTAssertEqual(attribute(pids: [7200], owner: alice),
                       [Container(runtime: .podman, id: elsewhere, name: "pt-elsewhere", source: "cmdline:7190")])
    }

    func testRootlessNetnsIsNamedAfterItsUser() {
        XCTAssertEqual(attribute(paths: ["/run/user/1000/netns/rootless-netns-0a1b2c3d4e5f6a7b8c9d"], owner: alice),
                       [Container(runtime: .podman, id: "rootless-netns-0a1b2c3d4e5f6a7b8c9d", name: "rootless-netns (alice)",
                                  source: "/run/user/1000/netns/rootless-netns-0a1b2c3d4e5f6a7b8c9d")])
        XCTAssertEqual(attribute(paths: ["/run/user/1000/containers/networks/rootless-netns/rootless-netns"], owner: alice).map(\.name),
                       ["rootless-netns (alice)"], "Podman 5's place")
    }

    func testParentHintsFromMonitorCommandLines() {
        XCTAssertEqual(ParentProcess.hint(argv: ["conmon", "--api-version", "1", "-c", "abc", "-n", "web"], program: "conmon"),
                       .conmon(id: "abc", name: "web"))
        XCTAssertEqual(ParentProcess.hint(argv: ["containerd-shim-runc-v2", "-namespace", "k8s.io", "-id", "x"],
                                          program: "containerd-shim-runc-v2"), .shim(namespace: "k8s.io", id: "x"))
        XCTAssertNil(ParentProcess.hint(argv: ["conmon", "--version"], program: "conmon"))
        XCTAssertNil(ParentProcess.hint(argv: ["bash"], program: "bash"))
    }
}
