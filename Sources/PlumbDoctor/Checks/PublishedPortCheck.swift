import PlumbModel
import PlumbTrace

/// 14. Published ports that do not answer: a mapping (DNAT rule or docker-proxy) that leads to a namespace
/// where nothing listens on the target port, or where the only listener is bound to loopback (the DNATed
/// packet arrives for the container's own address, so a 127.0.0.1 listener never sees it); and a DNAT rule
/// that a new connection from outside never reaches (the trace's evaluator walks nat PREROUTING and finds an
/// earlier rule taking it elsewhere). Needs the target namespaces' listeners (`DoctorInputs.listeners`); a
/// namespace whose listeners are unknown gives no finding.
enum PublishedPortCheck {
    static let noListenerId = "port-no-listener", loopbackId = "port-loopback-only", unreachedId = "port-unreached"
    static let number = 14

    static func run(_ ctx: DoctorContext) -> [Finding] {
        guard let listeners = ctx.inputs.listeners else { return [] }
        var out: [Finding] = []
        for p in ctx.publishedPorts(listeners) {
            guard let host = ctx.namespace(p.namespace) else { continue }
            let object = "\(p.proto):\(p.hostAddress?.description ?? "*"):\(p.hostPort.map(String.init) ?? "*")"
            let mapping = "\(host.displayName) [\(host.id)]: \(p.hostEndpoint) → \(p.targetEndpoint) (\(p.owner)"
                + (p.chain.map { ", -A \($0) \(p.rule ?? "")" } ?? "") + ")"
                + (p.proxies.isEmpty ? "" : "; docker-proxy " + p.proxies.joined(separator: ", "))
            var subjects: [Finding.Subject] = [.init(namespace: host.id, kind: .port, name: p.hostEndpoint)]
            if let t = p.targetNamespace, t != host.id { subjects.append(.init(namespace: t, kind: .namespace)) }
            let target = p.targetName ?? p.targetAddress.description
            if p.reachesTarget == false {
                out.append(Finding(
                    id: DoctorContext.id(unreachedId, host, object), check: unreachedId, checkNumber: number, severity: .warning,
                    title: "Published port \(p.hostEndpoint) in \(host.displayName) does not reach \(p.targetEndpoint)",
                    subjects: subjects,
                    evidence: [mapping, "evaluated: a new \(p.proto) connection from outside to port \(p.hostPort ?? 0) "
                               + "is not translated to \(p.targetEndpoint) by nat PREROUTING"],
                    explanation: "The DNAT rule exists, but walking nat PREROUTING as the kernel does, a connection from "
                        + "outside meets an earlier rule first (a RETURN, ACCEPT or another DNAT) and never gets to it. "
                        + "Compare the order with `iptables -t nat -S`."))
                continue
            }
            guard let port = p.effectiveTargetPort, p.targetNamespace != nil else { continue }
            let read = "listening \(p.proto) sockets on port \(port) in \(target): "
                + (p.listenerAddresses.isEmpty ? "none" : p.listenerAddresses.joined(separator: ", "))
            // The two listener findings differ only in words: one constructor for both.
            func listenerFinding(_ check: String, title: String, explanation: String) -> Finding {
                Finding(id: DoctorContext.id(check, host, object), check: check, checkNumber: number, severity: .warning,
                        title: title, subjects: subjects, evidence: [mapping, read], explanation: explanation)
            }
            switch p.listener {
            case .none:
                out.append(listenerFinding(noListenerId,
                    title: "Nothing listens behind published port \(p.hostEndpoint): \(target) has no \(p.proto) listener on \(port)",
                    explanation: "Connections to \(p.hostEndpoint) are forwarded to \(p.targetEndpoint), but no program "
                        + "in \(target) listens on \(p.proto) port \(port), so they are refused (TCP) or vanish (UDP). "
                        + "The application is not running, listens on another port, or the mapping points at the wrong "
                        + "container port."))
            case .loopback:
                out.append(listenerFinding(loopbackId,
                    title: "Published port \(p.hostEndpoint) leads to a listener bound to loopback only in \(target)",
                    explanation: "The forwarded connection arrives for \(p.targetAddress), but the program in \(target) "
                        + "listens only on \(p.listenerAddresses.joined(separator: ", ")): loopback, which traffic from "
                        + "outside the container never reaches. Make it listen on 0.0.0.0 (or \(p.targetAddress)); "
                        + "many servers default to 127.0.0.1."))
            default:
                break
            }
        }
        return out
    }
}

extension DoctorContext {
    /// The published ports made in the namespaces in scope, with their listeners (computed once per run).
    func publishedPorts(_ listeners: [UInt64: [SocketRecord]]) -> [PublishedPort] {
        if let p = portsCache { return p }
        let p = inputs.publishedPorts ?? PublishedPortFinder.find(snapshot, scope: Set(namespaces.map(\.id)), listeners: listeners)
        portsCache = p
        return p
    }
}
