import PlumbSystem
import Foundation
import PlumbActions
import PlumbKernel
import PlumbModel

/// `plumb lab up/down`: a small, realistic world to try Plumb on. Everything is named `<prefix>-…`:
///
///   <p>-front  bridge 10.213.201.0/24   web (busybox httpd :80, published on the host's :8080), client
///                                        (fetches from web every second),
///                                        broken (its eth0 is down: a veth whose end is down)
///   <p>-back   internal bridge 10.213.202.0/24   web, db (httpd :5432; its default route removed)
///   overlay    two namespaces acting as hosts (<p>-ha, <p>-hb) joined by a veth underlay 10.213.203.0/24,
///              each with a VXLAN (VNI 42) in a bridge, and a container on each side (<p>-ova, <p>-ovb,
///              10.213.204.0/24) pinging across; their MTU is 1500 over a 1450-byte path (MTU mismatch)
///
/// All lab traffic stays between lab namespaces and the lab bridges. The pids of the lab's processes are kept in
/// the state directory so `lab down` ends exactly those. The lab's namespaces are recorded in
/// /run/plumb-lab-PREFIX/containers.json (`LabRecord`), so discovery names them as containers of runtime `plumb`.
public final class DemoLab {
    let service: NetworkService
    let prefix: String
    let stateFile: String

    public struct State: Codable {
        public var prefix: String
        public var namespaces: [String] = []
        public var networks: [String] = []
        public var overlay: [String] = []
        public var pids: [Int32] = []
    }

    public init(service: NetworkService, prefix: String, stateDirectory: String) {
        self.service = service
        self.prefix = prefix
        stateFile = "\(stateDirectory)/lab-\(prefix).json"
    }

    func n(_ s: String) -> String { "\(prefix)-\(s)" }

    /// The prefix names files (the state file, /run/plumb-lab-PREFIX) and interfaces: checked before either
    /// is touched, so `--prefix ../../x` never reaches a path.
    public func validatePrefix() throws {
        try NetworkService.validateName(prefix, what: "lab prefix")
        guard prefix.count <= 6 else { throw ActionError.invalid("lab prefix '\(prefix)' is longer than 6 characters (interface names have 15)") }
    }

    public func up() throws -> State {
        try validatePrefix()
        if FileManager.default.fileExists(atPath: stateFile) {
            throw ActionError.invalid("lab '\(prefix)' is already up: `plumb lab down` first")
        }
        var st = State(prefix: prefix)
        // One operation for gc: it waits for the whole build, not just for each step of it.
        let hold = try service.holdOperationLock()
        defer { hold.end() }
        do {
            try build(&st)
        } catch {
            try? save(st)
            _ = try? down()
            throw error
        }
        try save(st)
        return st
    }

    /// What `up` would do, for `lab up --dry-run`, changing nothing: the namespaces and networks with their
    /// exact steps; the connects as operations (their steps depend on namespaces that do not exist yet); the
    /// faults and the overlay with their steps; the processes it would start.
    public func plannedUp() throws -> [Plan] {
        if FileManager.default.fileExists(atPath: stateFile) {
            throw ActionError.invalid("lab '\(prefix)' is already up: `plumb lab down` first")
        }
        try NetworkService.validateName(prefix, what: "lab prefix")
        var plans = try ["web", "client", "db", "broken"].map { try service.addNamespace(n($0), dryRun: true) }
        plans += try [frontRequest, backRequest].map { try service.create($0, dryRun: true).0 }
        plans += connections.map { Plan(operation: .netConnect(network: $0.network, targets: [$0.target])) }
        plans += try [n("ha"), n("hb"), n("ova"), n("ovb")].map { try service.addNamespace($0, dryRun: true) }
        plans += [overlayPlan, faultsPlan, Plan(operation: .lab("processes: httpd in \(n("web")) and \(n("db")), a client loop in \(n("client")), ping in \(n("ova"))"))]
        return plans
    }

    /// What `down` would do, for `lab down --dry-run`: end the lab's processes, remove its networks and
    /// namespaces. Empty when the lab is not up.
    public func plannedDown() throws -> [Plan] {
        guard let data = FileManager.default.contents(atPath: stateFile),
              let st = try? JSONDecoder().decode(State.self, from: data) else { return [] }
        var plans = [Plan(operation: .lab("end processes \(st.pids.map(String.init).joined(separator: " "))"))]
        plans += st.networks.reversed().compactMap { try? service.remove($0, force: true, dryRun: true).first }
        plans += (st.namespaces + st.overlay).reversed().compactMap { try? service.removeNamespace($0, dryRun: true) }
        return plans
    }

    private var frontRequest: NetworkService.CreateRequest {
        var front = NetworkService.CreateRequest(name: n("front"))
        front.subnet = Self.prefix("10.213.201.0/24")
        return front
    }

    private var backRequest: NetworkService.CreateRequest {
        var back = NetworkService.CreateRequest(name: n("back"))
        back.subnet = Self.prefix("10.213.202.0/24")
        back.internal = true
        return back
    }

    /// The lab's endpoints; web's port 80 is published on the host's port 8080, as `docker run -p 8080:80` would.
    private var connections: [NetworkService.ConnectRequest] {
        [(frontRequest.name, "web"), (frontRequest.name, "client"), (frontRequest.name, "broken"), (backRequest.name, "web"),
         (backRequest.name, "db")].map { net, c in
            var req = NetworkService.ConnectRequest(network: net, target: n(c))
            if c == "web" && net == frontRequest.name { req.publish = ["8080:80"] }
            return req
        }
    }

    /// Deliberate faults for the doctor: a veth end down, a missing default route (plus the overlay MTU).
    private var faultsPlan: Plan {
        Plan(operation: .lab("faults"), steps: [
            .deleteRoute(dst: .default, gateway: Self.address("10.213.202.1"), link: "eth0", in: .named(n("db"))),
            .setDown(link: "eth0", in: .named(n("broken"))),
        ])
    }

    private func build(_ st: inout State) throws {
        for c in ["web", "client", "db", "broken"] {
            _ = try service.addNamespace(n(c), dryRun: false)
            st.namespaces.append(n(c))
        }
        for req in [frontRequest, backRequest] {
            _ = try service.create(req, dryRun: false)
            st.networks.append(req.name)
        }
        for req in connections { _ = try service.connect(req, dryRun: false) }
        try buildOverlay(&st)
        try service.executor.apply(faultsPlan)

        // Long-lived processes, so counters move.
        let www = LabRecord.directory(prefix: prefix)
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        try "hello from the plumb lab\n".write(toFile: "\(www)/index.html", atomically: true, encoding: .utf8)
        try writeRecord(st)
        guard let busybox = CommandRunner.which("busybox") else {
            throw ActionError.command(step: "lab processes", message: "busybox is not installed (apt install busybox-static)")
        }
        st.pids.append(try spawn(in: n("web"), busybox, ["httpd", "-f", "-p", "80", "-h", www]))
        st.pids.append(try spawn(in: n("db"), busybox, ["httpd", "-f", "-p", "5432", "-h", www]))
        st.pids.append(try spawn(in: n("client"), busybox,
                                 ["sh", "-c", "while true; do busybox wget -q -O /dev/null http://10.213.201.2/; sleep 1; done"]))
        st.pids.append(try spawn(in: n("ova"), busybox, ["ping", "-i", "2", "10.213.204.3"]))
    }

    /// The lab's namespaces for discovery, which names them like containers of runtime `plumb` (`LabState`):
    /// in the lab's /run directory, so `lab down` removes it with the web root and a reboot with the namespaces.
    private func writeRecord(_ st: State) throws {
        let members = (st.namespaces + st.overlay).map { name -> LabRecord.Member in
            let path = "/run/netns/\(name)"
            let inode = (try? FileManager.default.attributesOfItem(atPath: path))?[.systemFileNumber] as? NSNumber
            return LabRecord.Member(name: name, path: path, inode: inode?.uint64Value)
        }
        let data = try JSONEncoder().encode(LabRecord(prefix: prefix, namespaces: members))
        try data.write(to: URL(fileURLWithPath: LabRecord.path(prefix: prefix)), options: .atomic)
    }

    private func buildOverlay(_ st: inout State) throws {
        for x in [n("ha"), n("hb"), n("ova"), n("ovb")] { _ = try service.addNamespace(x, dryRun: false); st.overlay.append(x) }
        try service.executor.apply(overlayPlan)
    }

    /// One of the lab's constant addresses (a typo is a programming error, which the lab tests catch).
    private static func address(_ text: String) -> IPAddress {
        guard let a = IPAddress(text) else { preconditionFailure("the demo lab's address \(text) is not an address") }
        return a
    }

    private static func prefix(_ text: String) -> IPPrefix {
        guard let p = IPPrefix(text) else { preconditionFailure("the demo lab's subnet \(text) is not a prefix") }
        return p
    }

    /// Two "hosts" joined by a veth underlay, each with a VXLAN in a bridge and a container behind it.
    private var overlayPlan: Plan {
        let ha = n("ha"), hb = n("hb"), ova = n("ova"), ovb = n("ovb")
        var steps: [PlanStep] = [
            .createVeth(name: "underlay", peer: "underlay", mtu: 1500, in: .named(ha), peerIn: .named(hb)),
        ]
        for (h, me, other, c, cip) in [(ha, "10.213.203.1", "10.213.203.2", ova, "10.213.204.2"),
                                       (hb, "10.213.203.2", "10.213.203.1", ovb, "10.213.204.3")] {
            let H = NamespaceRef.named(h), C = NamespaceRef.named(c)
            steps += [
                .addAddress(cidr: IPPrefix(unchecked: Self.address(me), length: 24), link: "underlay", in: H), .setUp(link: "underlay", in: H),
                .createVxlan(name: "vx42", vni: 42, local: Self.address(me), remote: Self.address(other), port: 4789, parent: "underlay", mtu: 1450, in: H),
                .createBridge(name: "br-overlay", mtu: nil, in: H),
                .setMaster(link: "vx42", master: "br-overlay", in: H),
                .createVeth(name: "veth-\(c.suffix(3))", peer: "eth0", mtu: 1500, in: H, peerIn: C),
                .setMaster(link: "veth-\(c.suffix(3))", master: "br-overlay", in: H),
                .setUp(link: "vx42", in: H), .setUp(link: "br-overlay", in: H), .setUp(link: "veth-\(c.suffix(3))", in: H),
                .addAddress(cidr: IPPrefix(unchecked: Self.address(cip), length: 24), link: "eth0", in: C), .setUp(link: "eth0", in: C),
            ]
        }
        return Plan(operation: .lab("overlay"), steps: steps)
    }

    private func spawn(in ns: String, _ path: String, _ args: [String]) throws -> Int32 {
        let file = try openNamespace(ns)
        return try NamespaceWorkers.run(inNamespaceFd: file.rawValue) { try CommandRunner.spawnDetached(path, args) }
    }

    private func openNamespace(_ ns: String) throws -> FileDescriptor {
        guard let fd = FileDescriptor.openIfPresent("/run/netns/\(ns)", O_RDONLY) else {
            throw ActionError.namespaceMissing(ns, "no /run/netns/\(ns)")
        }
        return fd
    }

    private func save(_ st: State) throws {
        let dir = (stateFile as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try JSONEncoder().encode(st).write(to: URL(fileURLWithPath: stateFile))
    }

    /// Ends the lab's processes (by recorded pid, checked to still be busybox), removes its networks and
    /// namespaces. Safe to run twice.
    @discardableResult
    public func down() throws -> State? {
        try validatePrefix()
        guard let data = FileManager.default.contents(atPath: stateFile),
              let st = try? JSONDecoder().decode(State.self, from: data) else { return nil }
        for pid in st.pids {
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            if comm.hasPrefix("busybox") || comm.hasPrefix("httpd") || comm.hasPrefix("sh") || comm.hasPrefix("ping") {
                kill(pid, SIGKILL)
            }
        }
        for net in st.networks.reversed() { _ = try? service.remove(net, force: true, dryRun: false) }
        for ns in (st.namespaces + st.overlay).reversed() { _ = try? service.removeNamespace(ns, force: true, dryRun: false) }
        try? FileManager.default.removeItem(atPath: LabRecord.directory(prefix: prefix))
        try? FileManager.default.removeItem(atPath: stateFile)
        return st
    }
}
