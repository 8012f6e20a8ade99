import PlumbTrace

/// `plumb trace --live`: the static trace, then the live one beside it.
struct LiveTraceOutput: CommandOutput {
    var result: TraceResult
    var live: LiveTraceResult

    var json: LiveTraceDocument { LiveTraceDocument(result: result, live: live) }
    func text() -> String { TraceTextRenderer.render(result) + "\n" + LiveTraceTextRenderer.render(live) }
}

/// The static trace's document with one more key, `live` (the keys before it are those of `plumb trace --json`).
struct LiveTraceDocument: Encodable {
    var result: TraceResult
    var live: LiveTraceResult

    enum Keys: String, CodingKey {
        case request, packet, hops, verdict, reason, dropHop, deliveredTo, uncertainties, assumedVerdict, live
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(result.request, forKey: .request)
        try c.encode(result.packet, forKey: .packet)
        try c.encode(result.hops, forKey: .hops)
        try c.encode(result.verdict, forKey: .verdict)
        try c.encode(result.reason, forKey: .reason)
        try c.encodeIfPresent(result.dropHop, forKey: .dropHop)
        try c.encodeIfPresent(result.deliveredTo, forKey: .deliveredTo)
        try c.encode(result.uncertainties, forKey: .uncertainties)
        try c.encodeIfPresent(result.assumedVerdict, forKey: .assumedVerdict)
        try c.encode(live, forKey: .live)
    }
}
