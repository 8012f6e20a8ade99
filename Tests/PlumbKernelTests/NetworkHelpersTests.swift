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
        XCTAssertNil(pasta("-t8080", "-q"), "nor a glued one")
        // The tap pasta makes: -I/--ns-ifname in every spelling, nil when pasta picks the host's interface name.
        let podman = pasta("--config-net", "-I", "tap0", "-t", "none", "-u", "none", "--dns-forward", "169.254.0.1",
                           "--netns", "/run/user/1000/netns/netns-9a")
        XCTAssertEqual(podman?.namespace, .path("/run/user/1000/netns/netns-9a"))
        XCTAssertEqual(podman?.link, "tap0")
        XCTAssertEqual(pasta("-fq4", "-Ipttap2", "--runas", "0", "777")?.link, "pttap2")
        XCTAssertEqual(pasta("-fq4", "-Ipttap2", "--runas", "0", "777")?.namespace, .pid(777))
        XCTAssertEqual(pasta("--ns-ifname=pt1", "--netns=pt-a")?.link, "pt1")
        XCTAssertNil(pasta("--config-net", "--netns", "/run/netns/pt-a")?.link)
        // A command: pasta makes the namespace for it, its child; a number among its arguments is no PID.
        XCTAssertEqual(pasta("--config-net", "-q", "sleep", "60")?.namespace, .child)
        XCTAssertEqual(pasta("-f", "--", "7")?.namespace, .pid(7), "a lone number is the PID, after -- too, as pasta reads it")
        XCTAssertEqual(pasta("-f", "--", "sleep", "7")?.namespace, .child)
        XCTAssertNil(pasta("--version"))
    }

    func testPasstsBinaryIsPastaOnlyWhenArgv0SaysSo() {
        // Debian: /usr/bin/pasta -> passt, which re-execs passt.avx2: comm is "passt.avx2", argv[0] "pasta".
        XCTAssertEqual(NetworkHelpers.program(comm: "passt.avx2"), "passt")
        XCTAssertEqual(NetworkHelpers.program(comm: "pasta.avx2"), "passt")
        XCTAssertEqual(NetworkHelpers.program(candidate: "passt", argv: ["pasta", "--netns", "x"]), "pasta")
        XCTAssertEqual(NetworkHelpers.program(candidate: "passt", argv: ["/usr/bin/pasta.avx2", "1"]), "pasta")
        XCTAssertNil(NetworkHelpers.program(candidate: "passt", argv: ["passt", "-s", "/tmp/passt_1.socket"]),
                     "passt itself serves a virtual machine, not a namespace")
        XCTAssertEqual(NetworkHelpers.program(candidate: "slirp4netns", argv: ["slirp4netns", "1"]), "slirp4netns")
        XCTAssertNil(NetworkHelpers.program(comm: "slirp"))
    }

    func testTheServedNamespaceIsFoundByItsProcessOrPath() throws {
        let root = try FakeRoot()
        try root.process(50, comm: "slirp4netns", ppid: 1, argv: ["slirp4netns", "-c", "60", "pttap0"])
        try root.file("/proc/50/comm", "slirp4netns\n")
        try root.process(70, comm: "passt.avx2", ppid: 1, argv: ["pasta", "--netns", "/run/netns/pt-b"])
        try root.file("/proc/70/comm", "passt.avx2\n")
        // pasta with a command: the namespace is its child's.
        try root.process(80, comm: "passt.avx2", ppid: 1, argv: ["pasta", "-I", "pt8", "sleep", "60"])
        try root.file("/proc/80/comm", "passt.avx2\n")
        try root.file("/proc/80/task/80/children", "81 ")
        // passt serving a VM is not a helper of any namespace.
        try root.process(90, comm: "passt.avx2", ppid: 1, argv: ["passt", "-s", "/tmp/passt_1.socket"])
        try root.file("/proc/90/comm", "passt.avx2\n")
        let tap = Link(index: 2, name: "pttap0", kind: .tun)
        let namespaces = [Namespace(id: 1, isHost: true),
                          Namespace(id: 2, paths: ["/run/netns/pt-a"], links: [tap]),
                          Namespace(id: 3, paths: ["/var/run/netns/pt-b"], links: [Link(index: 2, name: "tap0", kind: .tun)]),
                          Namespace(id: 4, links: [Link(index: 2, name: "pt8", kind: .tun)])]
        // A light read: no comm was read by the walk.
        let processes = [ProcessRecord(pid: 50, comm: "", namespace: 1), ProcessRecord(pid: 60, comm: "", namespace: 2),
                         ProcessRecord(pid: 70, comm: "", namespace: 1), ProcessRecord(pid: 80, comm: "", namespace: 1),
                         ProcessRecord(pid: 81, comm: "", namespace: 4), ProcessRecord(pid: 90, comm: "", namespace: 1)]
        XCTAssertEqual(NetworkHelpers.find(namespaces: namespaces, processes: processes, root: root.path),
                       [2: NetworkHelper(program: "slirp4netns", pid: 50, link: "pttap0"),
                        3: NetworkHelper(program: "pasta", pid: 70, link: nil),
                        4: NetworkHelper(program: "pasta", pid: 80, link: "pt8")])
        // Without a tun device outside the host, a light read reads no comm at all.
        let noTun = namespaces.map { ns -> Namespace in var n = ns; n.links = []; return n }
        XCTAssertEqual(NetworkHelpers.find(namespaces: noTun, processes: processes, root: root.path), [:])
        XCTAssertEqual(NetworkHelper(program: "slirp4netns", pid: 50, link: "pttap0").description, "slirp4netns (pid 50) on pttap0")
    }
}
