/// What a key does. The reducer switches over these; it never looks at raw keys (except text input).
public enum Action: String, Sendable, CaseIterable {
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case nextPane, previousPane, drillIn, back
    case nextTab, previousTab, showSockets, showPorts
    case filter, command, help, closeHelp, refresh, redraw, pause, zoom, quit
    // Keys that act on the system (a capture, a shell, a fix, its undo, a live trace): `--readonly` refuses all
    // but the capture.
    case capture, shell, fix, undo, liveTrace
    // The capture pane.
    case capturePause, captureFollow, captureFilter, captureSave, captureClose
    // The Map view: open/close, sideways moves, unfold a bus, cycle the selected node's neighbours.
    case map, mapLeft, mapRight, mapUnfold, mapNextNeighbour, mapPreviousNeighbour
    // A confirmation question.
    case confirmYes, confirmNo
    // Text input (filter and command line).
    case inputAccept, inputCancel, inputDeleteBackward, inputClear, inputComplete
    // The Processes and Neighbours tabs: every row, and the sort column.
    case toggleAllRows, cycleSort
}

/// Where a binding applies. Lookup tries the most specific context first, then `.global`.
public enum KeyContext: String, Sendable, CaseIterable {
    case global, namespaces, topology, details, capture, map, confirm, help, input

    /// Section title in the help overlay and the README table.
    public var title: String {
        switch self {
        case .global: return "Everywhere"
        case .namespaces: return "Namespaces pane"
        case .topology: return "Topology pane"
        case .details: return "Details pane"
        case .capture: return "Capture pane"
        case .map: return "Map view"
        case .confirm: return "Confirmation"
        case .help: return "Help"
        case .input: return "Filter and command line"
        }
    }
}

/// One row of the keymap table: it drives dispatch, the `?` overlay and the README's keys table, so the
/// three can never disagree.
public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    public var action: Action
    public var help: String
    public var context: KeyContext
    /// False for reserved keys whose feature has not landed: they answer "not yet available".
    public var available: Bool

    public init(_ keys: [Key], _ action: Action, _ help: String, context: KeyContext = .global,
                available: Bool = true) {
        self.keys = keys; self.action = action; self.help = help; self.context = context
        self.available = available
    }

    /// "↑ / k" (or "Up / k" without Unicode).
    public func keysLabel(unicode: Bool = true) -> String {
        keys.map { $0.label(unicode: unicode) }.joined(separator: " / ")
    }
}

public struct Keymap: Sendable, Equatable {
    public var bindings: [KeyBinding]

    public init(_ bindings: [KeyBinding]) { self.bindings = bindings }

    /// The binding for `key` in the first of `contexts` that binds it (callers list specific first).
    public func binding(for key: Key, in contexts: [KeyContext]) -> KeyBinding? {
        for ctx in contexts {
            if let b = bindings.first(where: { $0.context == ctx && $0.keys.contains(key) }) { return b }
        }
        return nil
    }

    /// The first key bound to `action` (for hints such as "? help").
    public func firstKey(for action: Action) -> Key? {
        bindings.first(where: { $0.action == action })?.keys.first
    }

    /// Bindings grouped by context, in table order: the help overlay's sections.
    public func sections() -> [(context: KeyContext, bindings: [KeyBinding])] {
        KeyContext.allCases.compactMap { ctx in
            let b = bindings.filter { $0.context == ctx }
            return b.isEmpty ? nil : (ctx, b)
        }
    }

    /// The README's keys table, generated from the same data as dispatch.
    public func markdownTable() -> String {
        var out = "| Keys | Where | Action |\n|---|---|---|\n"
        for (ctx, list) in sections() {
            for b in list {
                let keys = b.keys.map { "`\(Self.escapeMarkdown($0.label()))`" }.joined(separator: " ")
                let help = b.available ? b.help : "\(b.help) *(not yet available)*"
                out += "| \(keys) | \(ctx.title) | \(Self.escapeMarkdown(help)) |\n"
            }
        }
        return out
    }

    private static func escapeMarkdown(_ s: String) -> String {
        s.replacingAll("|", with: "\\|")
    }
}

extension String {
    /// Foundation-free replacement, for the few places that need one.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
