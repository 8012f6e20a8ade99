import PlumbModel

/// What `t` asks the app to trace: from a namespace to what the user typed, "DST [PORT[/tcp|/udp]]" (DST an IP
/// address or a namespace, as `plumb trace` takes it). Parsed here, in the reducer, so a typo is answered at
/// once in the status line and never becomes a probe.
public struct LiveTraceRequest: Equatable, Sendable {
    public var namespace: UInt64
    public var destination: String
    public var port: UInt16?
    /// "tcp" or "udp" with a port; nil: ICMP echo without one.
    public var proto: String?

    public init(namespace: UInt64, destination: String, port: UInt16? = nil, proto: String? = nil) {
        self.namespace = namespace; self.destination = destination; self.port = port; self.proto = proto
    }

    /// `plumb trace`'s arguments after SRC (the caller adds --live, --json, the state directory).
    public var traceArguments: [String] {
        var args = [destination]
        if let port { args += ["--port", String(port)] }
        if let proto { args += ["--proto", proto] }
        return args
    }

    /// "10.213.0.3", "web 80", "fd13::3 53/udp"; an error in one line otherwise.
    public static func parse(_ text: String, from namespace: UInt64) -> Result<LiveTraceRequest, InputError> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let destination = words.first else {
            return .failure(InputError("type where to trace to: an IP address or a namespace, then a port for TCP or UDP"))
        }
        guard words.count <= 2 else {
            return .failure(InputError("'\(text)': expected DST [PORT[/tcp|/udp]], e.g. 10.213.0.3 80 or web 53/udp"))
        }
        guard words.count == 2 else { return .success(LiveTraceRequest(namespace: namespace, destination: destination)) }
        let parts = words[1].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let port = UInt16(parts[0]), port > 0 else {
            return .failure(InputError("'\(words[1])' is not a port (1-65535)"))
        }
        var proto = "tcp"
        if parts.count == 2, ["tcp", "udp"].contains(parts[1].lowercased()) {
            proto = parts[1].lowercased()
        } else if parts.count != 1 {
            return .failure(InputError("'\(words[1])': the protocol after / is tcp or udp"))
        }
        return .success(LiveTraceRequest(namespace: namespace, destination: destination, port: port, proto: proto))
    }
}

/// Why typed input was not taken, in one line.
public struct InputError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `t`: the destination prompt, and the trace's answer in a dialog. From the panes the trace starts in the
/// selected namespace; on the Doctor tab it is the selected finding's flow; on the map, the node under the
/// cursor (`performInMap`). A destination that follows from the selection is typed into the prompt for the user
/// to check: nothing is sent before Enter.
extension AppState {
    mutating func askTraceDestination(rows: PaneRows, snapshot: Snapshot) {
        if focus == .details, detailTab == .findings {
            let i = selectedRow(.findings)
            guard i < rows.findings.count else {
                message = .error("the doctor found nothing here to trace: select a finding, or a namespace in the panes")
                return
            }
            let f = rows.findings[i]
            guard let s = TraceSuggestion.forFinding(f, snapshot: snapshot) else {
                message = .error("finding \(f.id) names no namespace of this snapshot to trace from")
                return
            }
            askTraceDestination(s)
            return
        }
        guard let ns = rows.namespace else {
            message = .error("select a namespace, container or link to trace from first")
            return
        }
        askTraceDestination(TraceSuggestion(source: ns.id, destination: nil))
    }

    mutating func askTraceDestination(_ s: TraceSuggestion) {
        traceSource = s.source
        input = .traceDestination
        inputText = s.destination ?? ""
    }

    mutating func acceptTraceDestination(_ text: String, snapshot: Snapshot) -> Effect {
        guard let source = traceSource else { return .none }
        traceSource = nil
        switch LiveTraceRequest.parse(text, from: source) {
        case .failure(let e):
            message = .error(e.description)
            return .none
        case .success(let request):
            let name = snapshot.namespace(id: source)?.displayName ?? "namespace \(source)"
            message = .info("live trace from \(name) to \(text.trimmingSpaces): one real packet sent…")
            return .liveTrace(request)
        }
    }

    /// The trace's answer (or why it failed) in a dialog; what does not fit ends in a line that says how much
    /// more there is and the command that prints it all.
    public mutating func showLiveTrace(title: String, lines: [String], command: String) {
        let room = max(3, size.height - 9)
        var shown = lines
        if lines.count > room {
            shown = Array(lines.prefix(room - 1))
            shown.append("… \(lines.count - room + 1) more lines: \(command)")
        }
        message = nil
        confirm = Confirmation(title: title, lines: shown, effect: .none)
    }
}
