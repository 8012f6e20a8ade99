import XCTest
@testable import PlumbKernel
import PlumbModel

/// slirp4netns and pasta serve a namespace from outside it; their command lines (as podman, rootlesskit and a
/// person write them) name the namespace and the tap device.
final class NetworkHelpersTests: XCTestCase {
    func slirp(_ args: String...) -> (namespace: NetworkHelpers.ServedNamespace, link: String?)? {
        NetworkHelpers.target(argv: ["slirp4netns"] + args, program: "slirp4netns")
    }

    func pasta(_ args: String...) -> (namespace: NetworkHelpers.ServedNamespace, link: String?)? {
        NetworkHelpers.target(argv: ["/usr/bin/pasta"] + args, program: "pasta")
    }

    func testSlirp4netnsCommandLines() {
        // Podman 4 (a path, since it makes the namespace itself).
        let podman = slirp("--disable-host-loopback", "--mtu=65520", "--enable-sandbox", "--enable-seccomp", "--enable-ipv6",
                           "-c", "-e", "3", "-r", "4", "--netns-type=path", "/run/user/1000/netns/netns-5f1c", "tap0")
        XCTAssertEqual(podman?.namespace, .path("/run/user/1000/netns/netns-5f1c"))
        XCTAssertEqual(podman?.link, "tap0")
        // rootlesskit (its child's pid), options after the positional arguments as getopt permits.
        let kit = slirp("--mtu", "65520", "-r", "3", "--disable-host-loopback", "4242", "tap0", "--enable-sandbox")
        XCTAssertEqual(kit?.namespace, .pid(4242))
        XCTAssertEqual(kit?.link, "tap0")
        // Grouped short options with glued values; the tap's default name.
        let grouped = slirp("-c6", "-m1500", "-ce", "5", "--cidr", "10.213.250.0/24", "777")
        XCTAssertEqual(grouped?.namespace, .pid(777))
        XCTAssertEqual(grouped?.link, "tap0")
        XCTAssertEqual(slirp("--netns-type", "path", "/run/netns/pt-x", "pttap0")?.namespace, .path("/run/netns/pt-x"))
        XCTAssertNil(slirp("--version"))
        XCTAssertNil(slirp("-c", "not-a-pid"))
    }

    func testPastaCommandLines() {
        XCTAssertEqual(pasta("--config-net", "-t", "none", "--netns", "/run/user/1000/netns/netns-9a").map(\.namespace),
                       .path("/run/user/1000/netns/netns-9a"))
        XCTAssertEqual(pasta("--netns=pt-a").map(\.namespace), .path("/run/netns/pt-a"), "a NAME is under /run/netns")
        XCTAssertEqual(pasta("--config-net", "4242").map(\.namespace), .pid(4242))
        XCTAssertNil(pasta("-t", "8080"), "an option's value is not a PID")
        XCTAssertEqual(NetworkHelpers.program(comm: "pasta.avx2"), "pasta")
        XCTAssertNil(NetworkHelpers.program(comm: "slirp"))
    }

    func testTheServedNamespaceIsFoundByItsProcessOrPath() throws {
        let root = try FakeRoot()
        try root.process(50, comm: "slirp4netns", ppid: 1, argv: ["slirp4netns", "-c", "60", "pttap0"])
        try root.file("/proc/50/comm", "slirp4netns\n")
        try root.process(70, comm: "pasta", ppid: 1, argv: ["pasta", "--netns", "/run/netns/pt-b"])
        try root.file("/proc/70/comm", "pasta\n")
        let tap = Link(index: 2, name: "pttap0", kind: .tun)
        let namespaces = [Namespace(id: 1, isHost: true),
                          Namespace(id: 2, paths: ["/run/netns/pt-a"], links: [tap]),
                          Namespace(id: 3, paths: ["/var/run/netns/pt-b"], links: [Link(index: 2, name: "tap0", kind: .tun)])]
        // A light read: no comm was read by the walk.
        let processes = [ProcessRecord(pid: 50, comm: "", namespace: 1), ProcessRecord(pid: 60, comm: "", namespace: 2),
                         ProcessRecord(pid: 70, comm: "", namespace: 1)]
        XCTAssertEqual(NetworkHelpers.find(namespaces: namespaces, processes: processes, root: root.path),
                       [2: NetworkHelper(program: "slirp4netns", pid: 50, link: "pttap0"),
                        3: NetworkHelper(program: "pasta", pid: 70, link: nil)])
        // Without a tun device outside the host, a light read reads no comm at all.
        let noTun = namespaces.map { ns -> Namespace in var n = ns; n.links = []; return n }
        XCTAssertEqual(NetworkHelpers.find(namespaces: noTun, processes: processes, root: root.path), [:])
        XCTAssertEqual(NetworkHelper(program: "slirp4netns", pid: 50, link: "pttap0").description, "slirp4netns (pid 50) on pttap0")
    }
}
