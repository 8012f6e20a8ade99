/// Named styles for everything the views colour. Views ask for a role (`theme.linkDown`), never a colour,
/// so the monochrome theme can say the same things with bold/dim/reverse/underline alone.
public struct Theme: Sendable, Equatable {
    public var text: Style
    public var dim: Style
    public var border: Style
    public var borderFocused: Style
    public var title: Style
    public var titleFocused: Style
    /// Column headers of tables.
    public var header: Style
    /// The selected row in the focused pane (added on top of the row's own styles).
    public var selection: Style
    public var appTitle: Style
    public var keyHint: Style
    public var tabActive: Style
    /// The active tab while another pane has the focus: still marked, never dimmed into grey.
    public var tabActiveUnfocused: Style
    public var tabInactive: Style

    // Link states.
    public var linkUp: Style
    public var linkDown: Style
    public var linkNoCarrier: Style
    public var linkUnknown: Style

    /// Namespaces with no process left: probably leaked.
    public var leak: Style
    public var warning: Style
    public var error: Style
    /// A firewall rule or chain whose counters moved since the last snapshot.
    public var counterMoved: Style
    /// Errors or drops that grew since the previous sample.
    public var counterGrew: Style
    public var sparkline: Style
    public var peer: Style
    public var address: Style
    /// Labels of firewall chain owners (docker, cni, podman, plumb, kubernetes).
    public var owner: Style
    public var input: Style

    public static let color = Theme(
        text: .plain, dim: Style().dimmed, border: Style(fg: .blue), borderFocused: Style(fg: .cyan, bold: true),
        title: Style(fg: .blue, bold: true), titleFocused: Style(fg: .black, bg: .cyan),
        header: Style(fg: .yellow, bold: true), selection: Style(reverse: true),
        appTitle: Style(fg: .black, bg: .cyan), keyHint: Style(fg: .cyan, bold: true),
        tabActive: Style(fg: .black, bg: .cyan), tabActiveUnfocused: Style(fg: .cyan, bold: true, underline: true),
        tabInactive: Style(fg: .blue),
        linkUp: Style(fg: .green), linkDown: Style(fg: .red, bold: true), linkNoCarrier: Style(fg: .yellow),
        linkUnknown: Style(fg: .magenta),
        leak: Style(fg: .magenta, bold: true), warning: Style(fg: .yellow, bold: true),
        error: Style(fg: .red, bold: true), counterMoved: Style(fg: .green, bold: true),
        counterGrew: Style(fg: .red, bold: true), sparkline: Style(fg: .cyan),
        peer: Style(fg: .cyan), address: Style(fg: .default), owner: Style(fg: .magenta),
        input: Style(fg: .default, bold: true))

    /// For NO_COLOR / --no-color: attributes only. Red/green differences become bold/dim/underline so a
    /// down link still stands out.
    public static let monochrome = Theme(
        text: .plain, dim: Style().dimmed, border: .plain, borderFocused: Style(bold: true),
        title: .plain, titleFocused: Style(reverse: true), header: Style(bold: true),
        selection: Style(reverse: true), appTitle: Style(reverse: true), keyHint: Style(bold: true),
        tabActive: Style(reverse: true), tabActiveUnfocused: Style(bold: true, underline: true), tabInactive: .plain,
        linkUp: .plain, linkDown: Style(bold: true, underline: true), linkNoCarrier: Style(underline: true),
        linkUnknown: Style().dimmed,
        leak: Style(bold: true), warning: Style(bold: true), error: Style(bold: true, underline: true),
        counterMoved: Style(bold: true), counterGrew: Style(bold: true, underline: true), sparkline: .plain,
        peer: .plain, address: .plain, owner: Style().dimmed, input: Style(bold: true))

    /// `NO_COLOR` (any non-empty value, see no-color.org) or `--no-color` select the monochrome theme.
    public static func resolve(environment: [String: String], noColorFlag: Bool = false) -> Theme {
        if noColorFlag { return .monochrome }
        if let v = environment["NO_COLOR"], !v.isEmpty { return .monochrome }
        return .color
    }

    /// Whether this theme uses any colour (the adapter skips start_color() otherwise).
    public var usesColor: Bool { self != .monochrome }
}
