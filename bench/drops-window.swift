// bench/drops-window.sh's program: the TUI's per-second drops work (TUIApp.readDrops) under an IPv6 multicast storm
// (issue 18), the model alone: 500 namespaces x 3 interfaces x 2 reasons tallied once a second (~10,000 drops/s),
// then advance, takeEvents(limit: 1000, collapseAbove: 20), and every 3 s DropActivity (no groups: the Drops tab
// closed) and DropEvidence.annotate of 20 findings. Prints microseconds per storm-second (the 10 s that fill the
// window first are not timed) and a digest of every output, so that two builds can be shown to say the same.
// usage: Bench [ROUNDS] [same|churn]
import PlumbModel
#if canImport(Glibc)
import Glibc
#endif

func nowNanos() -> UInt64 {
    var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}
struct FNV { var h: UInt64 = 0xcbf29ce484222325
    mutating func add(_ s: String) { for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100000001b3 }; h ^= 0xff; h = h &* 0x100000001b3 }
    mutating func add(_ n: Int) { add(String(n)) }
}

let namespaces = 500, interfaces = 3
let base: UInt64 = 4026532000
let reasons = [(DropReason(code: 2, name: "NOT_SPECIFIED"), KernelLocation(address: 0xffffffff81a00010, symbol: "ip6_mc_input", offset: 0x10), UInt8(143)),
               (DropReason(code: 71, name: "IPV6_NDISC_NS_OTHERHOST"), KernelLocation(address: 0xffffffff81b00020, symbol: "ndisc_rcv", offset: 0x20), UInt8(133))]
let ifnames = ["eth0", "eth1", "veth-pt-ab12"]
var names: [UInt64: String] = [:]
for i in 0..<namespaces { names[base + UInt64(i)] = "pt-storm-\(i)" }
let findings = (0..<20).map { i in
    Finding(id: "f\(i)", check: "c", checkNumber: 1, severity: .warning, title: "t",
            subjects: [.init(namespace: base + UInt64(i * 7), kind: .namespace),
                       .init(namespace: base + UInt64(i * 11 + 1), kind: .link, name: "eth1")],
            evidence: [], explanation: "")
}

/// One storm second's tallies. `churn`: every flow is new each second (an echo id that changes); else each
/// detail's flow is the same every second (router solicitations and MLD reports from one link-local address).
func tallies(second: UInt64, churn: Bool) -> [DropTally] {
    var out: [DropTally] = []
    out.reserveCapacity(namespaces * interfaces * reasons.count)
    var k = 0
    for ns in 0..<namespaces {
        for i in 0..<interfaces {
            for (r, (reason, location, icmpType)) in reasons.enumerated() {
                k += 1
                let flow = DropFlow(protocolNumber: 58, src: IPAddress(ipv6High: 0xfe80_0000_0000_0000, low: UInt64(ns << 8 | i)),
                                    dst: IPAddress(ipv6High: 0xff02_0000_0000_0000, low: r == 0 ? 0x16 : 0x2),
                                    icmp: .init(type: icmpType, code: 0, id: churn ? UInt16(truncatingIfNeeded: second) : 0))
                let nanos = second * 1_000_000_000 + UInt64(k) * 250_000
                let d = PacketDrop(monotonicNanos: nanos, time: 1_800_000_000 + Double(nanos) / 1e9, reason: reason, location: location,
                                   netnsCookie: base + UInt64(ns) + 1, netnsInode: base + UInt64(ns), ifindex: Int32(2 + i),
                                   interface: ifnames[i], etherType: 0x86dd, flow: flow)
                out.append(DropTally(newest: d, count: 3 + (k % 2)))
            }
        }
    }
    return out
}

func run(churn: Bool, seconds: Int, digest: inout FNV) -> Double {
    var window = DropWindow(seconds: 10)
    // The window full first (10 s), then the measured seconds; the tallies are made outside the timing.
    let input = (0..<(10 + seconds)).map { tallies(second: 1000 + UInt64($0), churn: churn) }
    var spent: UInt64 = 0
    for (s, t) in input.enumerated() {
        let second = 1000 + UInt64(s)
        let t0 = nowNanos()
        window.record(contentsOf: [PacketDrop]())
        window.record(tallies: t)
        window.advance(nowNanos: second * 1_000_000_000 + 999_000_000)
        let events = window.takeEvents(names: names, limit: 1000, collapseAbove: 20)
        var activity: DropActivity?, annotated: [Finding] = []
        if s % 3 == 0 {
            activity = DropActivity(window: &window, windowSeconds: 10, mode: "bpf", names: names, groups: false, topFlows: 1)
            annotated = DropEvidence.annotate(findings, window: window, seconds: 10)
        }
        let t1 = nowNanos()
        if s >= 10 { spent += t1 - t0 }
        for e in events { digest.add(e.text); digest.add(e.namespace ?? "-"); digest.add(String(e.time)) }
        if let activity {
            digest.add(activity.summary.total); digest.add(activity.summary.flowsNotKept)
            for (k, v) in activity.perNamespace.sorted(by: { $0.key < $1.key }) { digest.add(String(k)); digest.add(String(v)) }
            for (k, v) in activity.perInterface.sorted(by: { ($0.key.namespace, $0.key.interface) < ($1.key.namespace, $1.key.interface) }) {
                digest.add(k.interface); digest.add(String(v))
            }
            for f in annotated { for e in f.evidence { digest.add(e) } }
        }
    }
    // The Drops tab's summary at the end (not timed): the same groups and flows.
    let summary = window.summary(seconds: 10, topFlows: 2, names: names)
    for g in summary.groups { digest.add(g.namespace); digest.add(g.reason); digest.add(g.count); digest.add(g.interfaces.joined(separator: ","))
        for f in g.topFlows { digest.add(f.flow.description); digest.add(f.count) } }
    digest.add(summary.flowsNotKept); digest.add(summary.total); digest.add(window.keptFlowEntries)
    return Double(spent) / 1000 / Double(seconds)
}

let rounds = Int(CommandLine.arguments.dropFirst().first ?? "5") ?? 5
let modes = CommandLine.arguments.count > 2 ? [CommandLine.arguments[2] == "churn"] : [false, true]
for churn in modes {
    var times: [Double] = []
    var digest = FNV()
    for _ in 0..<rounds { var d = FNV(); times.append(run(churn: churn, seconds: 30, digest: &d)); digest = d }
    times.sort()
    print("\(churn ? "new flows each second " : "same flows each second"): \(Int(times[times.count / 2])) µs per storm-second (median of \(rounds); min \(Int(times[0]))), digest \(String(digest.h, radix: 16))")
}
