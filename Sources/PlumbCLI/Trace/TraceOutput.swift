import PlumbTrace

/// `plumb trace SRC DST`: the hops, the verdict and why.
struct TraceOutput: CommandOutput {
    var result: TraceResult

    var json: TraceResult { result }
    func text() -> String { TraceTextRenderer.render(result) }
}
