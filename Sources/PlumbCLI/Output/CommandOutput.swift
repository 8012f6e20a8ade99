import PlumbModel

/// What a command prints: one result value with two renderings, text and JSON, so the two never disagree
/// (iproute2's single print path). A command builds its result once and hands it to `render(_:as:)`.
protocol CommandOutput {
    /// The JSON rendering's value: usually the result itself, or the model value it wraps (so that the
    /// streaming encoder's fast paths for model types still apply).
    associatedtype JSONForm: Encodable
    var json: JSONForm { get }
    /// The text rendering, with its final newline.
    func text() -> String
}

extension CommandOutput where Self: Encodable {
    var json: Self { self }
}

/// How a result is printed: `--json` (compact like `ip -j`, or indented with `--pretty`) or text.
enum OutputFormat: Equatable {
    case text
    case json(pretty: Bool)

    init(json: Bool, pretty: Bool = false) {
        self = json ? .json(pretty: pretty) : .text
    }
}

/// Prints `output` to `fd` (stdout unless a test gives another) in `format`: the one print path of every command.
func render<O: CommandOutput>(_ output: O, as format: OutputFormat, to fd: Int32 = 1) throws {
    switch format {
    case .text: FileHandleWriter.write(fd, output.text())  // escapes control characters
    case .json(let pretty): try JSONOutput.print(output.json, pretty: pretty, to: fd)
    }
}

extension CommandOutput {
    /// The bytes `render` writes, for outputs collected into batches (capture's packet lines).
    func bytes(as format: OutputFormat) throws -> [UInt8] {
        switch format {
        case .text: return Array(TerminalText.escaped(text(), keepingLayout: true).utf8)
        // The streaming write ends every document with one newline; `encode` adds it only when indenting.
        case .json(let pretty): return try StreamingJSONEncoder(pretty: pretty).encode(json) + (pretty ? [] : [0x0A])
        }
    }
}
