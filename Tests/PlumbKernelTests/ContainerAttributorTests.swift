import XCTest
@testable import PlumbKernel
import PlumbModel

/// Attribution against fixture trees shaped like a host's root filesystem (Fixtures/containers/<scenario>).
/// Ids are sha256 of a label (see each scenario); the CNI host-local files were written by the real bridge and
/// host-local plugins, so their container id is whatever that run drew.
final class ContainerAttributorTests: XCTestCase {
    // docker
    let dockerWeb = "cd9be472da9005647ac87957d3936fb0604ccacff785dba1948987c51017be69"
    let dockerSidecar = "5002e7214c115e6b079adc99eded354a73c8b299cf839a599ff334bc5babcb31"
    let dockerStopped = "7f0a3191ed188221fe3f2177921c14be4f86af13478d0d39c61dbcde245187b5"
    let dockerNoConfig = "f49319969946e9f6214911e838bbc3fb2be674fbc54584d81bba14684a7d02b9"
    // podman
    let podmanDB = "cc68e1d9877507693f2627038a9947317d784e78728a2cdc290274f23414b7e0"
    let podmanCache = "1d2a774bec31ee65df0d02e37aeb1285f03a272feed8fb7dd6dcdc5321a18aa2"
    let podmanNetns = "/run/netns/netns-1f6a2b9c-3d4e-5f60-7182-93a4b5c6d7e8"
    // cni
    let cniGenerated = "947b5d0713f544fa842c3b48a16f59e11ce9f695364478fc9da7397a6341a4c1"
    let cniGeneratedNetns = "/run/netns/pt-ca-2648"
    let cniLegacy = "aa2fd62a9ed2cf09655d62d396cf21e5f0ab4a09868c1b4a7311a644315fc9d5"
    // kubernetes / containerd
    let podSandbox = "f81616a1fe1ce5737ed0b855230bd236750aea7679dd9b672610b59159030764"
    let podApp = "c6206b7b04c1f4f6117ec788bd8a0994c9ffae7bfccbdcd7ee19dc598971fdf0"
    let podNetns = "/var/run/netns/cni-5b1e2f3a-6c7d-8e9f-0a1b-2c3d4e5f6a7b"
    let exporter = "788a9d7a245c7088cc5d3c7f66862749a151f5b108a28c3991ceb6b5bff23094"
    let anonPod = "abe8b4b7bb84306be6d5498d51678da17a8847f76adc7d64e0a5b76022529717"
    let redis = "200fe4bf325b113e4497f31a1668f2400707f753965bf417e6108edf66c98134"

    func root(_ scenario: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/containers/\(scenario)").path
    }

    func procs(_ pids: Int32...) -> [(pid: Int32, comm: String)] { pids.map { (pid: $0, comm: "p\($0)") } }

    /// Attributes one namespace (id 1) and returns its containers.
    func attribute(_ scenario: String, paths: [String] = [], pids: [Int32] = [],
                   addresses: [String] = []) -> [Container] {
        let ns = NamespaceEvidence(id: 1, paths: paths, processes: pids.map { (pid: $0, comm: "p\($0)") },
                                   addresses: addresses)
        return ContainerAttributor(root: root(scenario)).attribute([ns])[1] ?? []
    }

    // MARK: Docker

    func testDockerMatchesSandboxKeyWrittenUnderVarRun() {
        let found = attribute("docker", paths: ["/run/docker/netns/1a2b3c4d5e6f"])
        XCTAssertEqual(found, [Container(runtime: .docker, id: dockerWeb, name: "shop-web",
                                         source: "/var/lib/docker/containers/\(dockerWeb)/config.v2.json")])
    }

    func testDockerMatchesInitPidOfContainerJoiningAnotherNamespace() {
        let found = attribute("docker", pids: [4300])
        XCTAssertEqual(found, [Container(runtime: .docker, id: dockerSidecar, name: "shop-web-sidecar",
                                         source: "/var/lib/docker/containers/\(dockerSidecar)/config.v2.json")])
    }

    func testDockerConfigAndCgroupOfSameContainerGiveOneEntry() {
        let found = attribute("docker", paths: ["/run/docker/netns/1a2b3c4d5e6f"], pids: [4242, 4300])
        XCTAssertEqual(found.map(\.id), [dockerWeb, dockerSidecar])
        XCTAssertEqual(found.map(\.source), ["/var/lib/docker/containers/\(dockerWeb)/config.v2.json",
                                             "/var/lib/docker/containers/\(dockerSidecar)/config.v2.json"],
                       "the file that names the container is the better proof than its cgroup")
    }

    func testDockerCgroupWithoutConfigUsesShortID() {
        XCTAssertEqual(attribute("docker", pids: [5000]),
                       [Container(runtime: .docker, id: dockerNoConfig, name: String(dockerNoConfig.prefix(12)),
                                  source: "cgroup:5000")])
    }

    func testDockerStateSkipsStoppedBrokenAndMissingConfigs() {
        let state = DockerState(fs: RootFS(root("docker")))
        XCTAssertEqual(Set(state.byID.keys), [dockerWeb, dockerSidecar, dockerStopped],
                       "truncated config and a directory without config.v2.json are skipped")
        XCTAssertEqual(Set(state.byPid.keys), [4242, 4300], "a stopped container's pid proves nothing")
        XCTAssertEqual(Array(state.bySandboxKey.keys), ["/run/docker/netns/1a2b3c4d5e6f"])
    }

    // MARK: Podman

    func testPodmanBundleNetnsPathNamesContainer() {
        XCTAssertEqual(attribute("podman", paths: [podmanNetns]), [Container(
            runtime: .podman, id: podmanDB, name: "db",
            source: "/var/lib/containers/storage/overlay-containers/\(podmanDB)/userdata/config.json")])
    }

    func testPodmanCgroupNamedFromContainersJSON() {
        XCTAssertEqual(attribute("podman", pids: [7100]),
                       [Container(runtime: .podman, id: podmanCache, name: "cache", source: "cgroup:7100")])
    }

    func testPodmanConmonCgroupIsIgnored() {
        XCTAssertEqual(attribute("podman", pids: [7000]), [])
    }

    func testPodmanNetnsNameIsLastResort() {
        let other = "/run/netns/netns-aaaabbbb-cccc-dddd-eeee-ffff00001111"
        XCTAssertEqual(attribute("podman", paths: [other]),
                       [Container(runtime: .podman, id: "netns-aaaabbbb-cccc-dddd-eeee-ffff00001111",
                                  name: "netns-aaaabbbb-cccc-dddd-eeee-ffff00001111", source: other)])
        XCTAssertEqual(attribute("podman", paths: [podmanNetns]).count, 1, "no name guess beside a real match")
    }

    // MARK: CNI

    func testCNIHostLocalAllocationMatchesAddress() {
        XCTAssertEqual(attribute("cni", addresses: ["127.0.0.1", "10.213.7.2"]), [Container(
            runtime: .cni, id: cniGenerated, name: "cbr0/\(cniGenerated.prefix(12))",
            source: "/var/lib/cni/networks/cbr0/10.213.7.2")])
    }

    func testCNIIPv6AllocationMatchesAnySpellingOfAddress() {
        let found = attribute("cni", addresses: ["FD00:213:7:0:0:0:0:2", "fe80::7088:6eff:fe3a:7af9"])
        XCTAssertEqual(found.map(\.id), [cniGenerated])
        XCTAssertEqual(found.first?.source, "/var/lib/cni/networks/cbr0/fd00:213:7::2")
    }

    func testCNICachedResultMatchesNetnsPath() {
        let found = attribute("cni", paths: [cniGeneratedNetns], addresses: ["10.213.7.2", "fd00:213:7::2"])
        XCTAssertEqual(found, [Container(runtime: .cni, id: cniGenerated, name: "cbr0/\(cniGenerated.prefix(12))",
                                         source: "/var/lib/cni/results/cbr0-\(cniGenerated)-eth0")])
    }

    func testCNIArgsNameKubernetesPod() {
        let found = attribute("cni", paths: [podNetns], addresses: ["10.213.20.7"])
        XCTAssertEqual(found, [Container(runtime: .kubernetes, id: podSandbox, name: "shop/web-7d4b9c-x2x7q",
                                         source: "/var/lib/cni/results/k8s-pod-network-\(podSandbox)-eth0")])
    }

    func testCNIAllocationWithoutInterfaceLine() {
        XCTAssertEqual(attribute("cni", addresses: ["10.213.9.4"]), [Container(
            runtime: .cni, id: cniLegacy, name: "legacy/\(cniLegacy.prefix(12))",
            source: "/var/lib/cni/networks/legacy/10.213.9.4")])
    }

    func testCNIAddressAllocatedTwiceIsNotAttributed() {
        XCTAssertEqual(attribute("cni", addresses: ["10.213.8.8"]), [])
    }

    // MARK: Kubernetes and containerd

    func testKubernetesSandboxBundleMatchesNetnsPath() {
        XCTAssertEqual(attribute("kubernetes", paths: [podNetns]), [Container(
            runtime: .kubernetes, id: podSandbox, name: "shop/web-7d4b9c-x2x7q",
            source: "/run/containerd/io.containerd.runtime.v2.task/k8s.io/\(podSandbox)/config.json")])
    }

    func testKubernetesPodIsOneEntryForAllItsContainers() {
        let withPath = attribute("kubernetes", paths: [podNetns], pids: [8100, 8150, 8160])
        XCTAssertEqual(withPath.map(\.id), [podSandbox])
        // Without the bind path: the app container's bundle names the pause pid, cgroups add the rest.
        let byProcess = attribute("kubernetes", pids: [8150, 8160, 8100])
        XCTAssertEqual(byProcess.count, 1)
        XCTAssertEqual(byProcess.first?.runtime, .kubernetes)
        XCTAssertEqual(byProcess.first?.name, "shop/web-7d4b9c-x2x7q")
    }

    func testKubernetesCgroupfsPodNamedFromKubeletLogDirectory() {
        XCTAssertEqual(attribute("kubernetes", pids: [8200]), [Container(
            runtime: .kubernetes, id: exporter, name: "monitoring/node-exporter-8xk2p", source: "cgroup:8200")])
    }

    func testKubernetesPodNothingNamesIsNamedByUID() {
        XCTAssertEqual(attribute("kubernetes", pids: [8250]), [Container(
            runtime: .kubernetes, id: anonPod, name: "pod-11112222-3333-4444-5555-666677778888",
            source: "cgroup:8250")])
    }

    func testContainerdBundleNamesNerdctlContainer() {
        XCTAssertEqual(attribute("kubernetes", pids: [8300]), [Container(
            runtime: .containerd, id: redis, name: "redis-1",
            source: "/run/containerd/io.containerd.runtime.v2.task/default/\(redis)/config.json")])
    }

    func testContainerdCgroupDirectory() {
        XCTAssertEqual(attribute("kubernetes", pids: [8400]),
                       [Container(runtime: .containerd, id: "batch-job-7", name: "batch-job-7", source: "cgroup:8400")])
    }

    func testContainerdDaemonIsNotAContainer() {
        XCTAssertEqual(attribute("kubernetes", pids: [8500]), [])
    }

    func testCNINetnsNameIsContainerdLastResort() {
        let path = "/run/netns/cni-0c3e4f5a-6b7c-8d9e-0f1a-2b3c4d5e6f7a"
        XCTAssertEqual(attribute("kubernetes", paths: [path]), [Container(
            runtime: .containerd, id: "cni-0c3e4f5a-6b7c-8d9e-0f1a-2b3c4d5e6f7a",
            name: "cni-0c3e4f5a-6b7c-8d9e-0f1a-2b3c4d5e6f7a", source: path)])
    }

    // MARK: LXC and systemd-nspawn

    func testLXCPayloadAndLegacyCgroups() {
        XCTAssertEqual(attribute("machines", pids: [9100]),
                       [Container(runtime: .lxc, id: "web1", name: "web1", source: "cgroup:9100")])
        XCTAssertEqual(attribute("machines", pids: [9200]).map(\.name), ["old1"], "cgroup v1 lines")
        XCTAssertEqual(attribute("machines", pids: [9600]).map(\.name), ["c3"])
        XCTAssertEqual(attribute("machines", pids: [9500]), [], "the LXC monitor runs in the host namespace")
    }

    func testNspawnMachineNameIsUnescaped() {
        XCTAssertEqual(attribute("machines", pids: [9300]),
                       [Container(runtime: .nspawn, id: "my-box", name: "my-box", source: "cgroup:9300")])
        XCTAssertEqual(attribute("machines", pids: [9700]).map(\.name), ["café"])
        XCTAssertEqual(attribute("machines", pids: [9400]), [], "libvirt VMs are machines but not containers")
    }

    // MARK: Robustness

    func testMalformedFilesAttributeNothingAndDoNotCrash() {
        let ns = NamespaceEvidence(id: 7, paths: ["/run/netns/bad1", "/run/docker/netns/abc"],
                                   processes: procs(1, 2, 3), addresses: ["10.1.2.3", "10.1.2.4", "10.1.2.5"])
        let more = NamespaceEvidence(id: 8, processes: procs(4, 5))
        XCTAssertEqual(ContainerAttributor(root: root("malformed")).attribute([ns, more]), [:])
        let fs = RootFS(root("malformed"))
        XCTAssertTrue(DockerState(fs: fs).bySandboxKey.isEmpty)
        XCTAssertTrue(DockerState(fs: fs).byPid.isEmpty)
        XCTAssertTrue(StorageState(fs: fs).byID.isEmpty)
        XCTAssertTrue(CNIState(fs: fs).byIP.isEmpty)
        XCTAssertTrue(KubernetesPods(fs: fs).byUID.isEmpty)
    }

    func testMissingRootAttributesNothing() {
        let ns = NamespaceEvidence(id: 7, paths: ["/run/docker/netns/1a2b3c4d5e6f"], processes: procs(4242),
                                   addresses: ["10.213.7.2"])
        XCTAssertEqual(ContainerAttributor(root: "/nonexistent/plumb-fixture-root").attribute([ns]), [:])
    }

    func testNamespaceWithoutEvidenceIsAbsent() {
        let result = ContainerAttributor(root: root("docker")).attribute([
            NamespaceEvidence(id: 10),
            NamespaceEvidence(id: 11, paths: ["/run/docker/netns/1a2b3c4d5e6f"]),
            NamespaceEvidence(id: 12, paths: ["/run/netns/web"], processes: procs(5100)),
        ])
        XCTAssertEqual(Set(result.keys), [11], "no files, no runtime cgroup: discovery falls back to process names")
        XCTAssertEqual(ContainerAttributor(root: root("docker")).attribute([]), [:])
    }

    func testOnlyTheFirstFewProcessesHaveTheirCgroupRead() {
        XCTAssertEqual(attribute("docker", pids: [5100, 5000]).map(\.id), [dockerNoConfig])
        XCTAssertEqual(attribute("docker", pids: [5100, 1, 2, 5000]), [],
                       "a fourth process is not read even when it would prove something")
    }

    func testSameNamespaceListedTwiceIsMerged() {
        let a = NamespaceEvidence(id: 3, paths: ["/run/docker/netns/1a2b3c4d5e6f"])
        let b = NamespaceEvidence(id: 3, processes: procs(4242, 4300))
        let found = ContainerAttributor(root: root("docker")).attribute([a, b])[3] ?? []
        XCTAssertEqual(found.map(\.id), [dockerWeb, dockerSidecar])
    }
}

/// The cgroup layouts each runtime and cgroup driver produce.
final class CgroupParserTests: XCTestCase {
    let id = String(repeating: "ab", count: 32)
    let inner = String(repeating: "cd", count: 32)

    func testLayouts() {
        let cases: [(String, CgroupHint?)] = [
            ("/system.slice/docker-\(id).scope", .docker(id: id)),
            ("/docker/\(id)", .docker(id: id)),
            ("/docker/\(id)/docker/\(inner)", .docker(id: inner)),
            ("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(id).scope", .podman(id: id)),
            ("/libpod_parent/libpod-\(id)", .podman(id: id)),
            ("/machine.slice/libpod-conmon-\(id).scope", nil),
            ("/system.slice/nerdctl-\(id).scope", .containerd(id: id)),
            ("/system.slice/cri-containerd-\(id).scope", .containerd(id: id)),
            ("/system.slice/containerd.service", nil),
            ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234abcd_5678_90ab_cdef_1234567890ab"
             + ".slice/cri-containerd-\(id).scope",
             .kubernetes(containerID: id, podUID: "1234abcd-5678-90ab-cdef-1234567890ab")),
            ("/kubepods/burstable/pod1234abcd-5678-90ab-cdef-1234567890ab/\(id)",
             .kubernetes(containerID: id, podUID: "1234abcd-5678-90ab-cdef-1234567890ab")),
            ("/kubepods.slice/kubepods-podabcdef0123456789abcdef0123456789.slice/crio-\(id).scope",
             .kubernetes(containerID: id, podUID: "abcdef0123456789abcdef0123456789")),
            ("/kubepods.slice/kubepods-pod1234abcd.slice/crio-conmon-\(id).scope", nil),
            ("/docker/\(inner)/kubepods/besteffort/pod1234abcd/\(id)",
             .kubernetes(containerID: id, podUID: "1234abcd")),
            ("/lxc.payload.web/init.scope", .lxc(name: "web")),
            ("/lxc.monitor.web", nil),
            ("/machine.slice/machine-a\\x2db\\x2dc.scope/payload", .nspawn(name: "a-b-c")),
            ("/system.slice/docker-\(id.uppercased()).scope", nil),
            ("/system.slice/docker-\(id.prefix(63)).scope", nil),
            ("/", nil), ("", nil),
        ]
        for (path, expected) in cases {
            XCTAssertEqual(CgroupParser.hint(path: path), expected, path)
        }
    }

    func testFilePrefersUnifiedLineThenAnyV1Line() {
        XCTAssertEqual(CgroupParser.hint(file: "12:pids:/docker/\(id)\n0::/lxc.payload.x\n"), .lxc(name: "x"))
        XCTAssertEqual(CgroupParser.hint(file: "12:pids:/\n4:memory:/docker/\(id)\n0::/\n"), .docker(id: id))
        XCTAssertNil(CgroupParser.hint(file: "0::/init.scope\n"))
        XCTAssertNil(CgroupParser.hint(file: ""))
    }

    func testSystemdUnescape() {
        XCTAssertEqual(CgroupParser.unescapeSystemd("my\\x2dbox"), "my-box")
        XCTAssertEqual(CgroupParser.unescapeSystemd("caf\\xc3\\xa9"), "café")
        XCTAssertEqual(CgroupParser.unescapeSystemd("odd\\x2"), "odd\\x2", "a cut-off escape stays literal")
        XCTAssertEqual(CgroupParser.unescapeSystemd("odd\\xzz"), "odd\\xzz")
    }

    func testCanonicalForms() {
        XCTAssertEqual(Canonical.path("/var/run/docker/netns/x"), "/run/docker/netns/x")
        XCTAssertEqual(Canonical.path("/run/netns/a/"), "/run/netns/a")
        XCTAssertEqual(Canonical.procNetnsPid("/proc/8100/ns/net"), 8100)
        XCTAssertNil(Canonical.procNetnsPid("/proc/self/ns/net"))
        XCTAssertEqual(Canonical.ip("10.0.0.5/24"), "10.0.0.5")
        XCTAssertEqual(Canonical.ip("FD00:0:0::5"), "fd00::5")
        XCTAssertEqual(Canonical.ip("fe80::1%eth0"), "fe80::1")
        XCTAssertNil(Canonical.ip("last_reserved_ip.0"))
        XCTAssertNil(Canonical.ip("lock"))
        XCTAssertTrue(CNIState.isValidID("k8s_pod-1.2"))
        XCTAssertFalse(CNIState.isValidID("../etc"))
        XCTAssertFalse(CNIState.isValidID(""))
    }
}
