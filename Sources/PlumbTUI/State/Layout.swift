/// Where everything goes for a given terminal size. Pure, shared by the views (to draw) and the reducer
/// (page sizes, mouse hit tests).
///
///     wide (>= 120 columns)              narrow
///     title                              title
///     ┌ns──┐┌topology──────┐            ┌ns──┐┌topology──┐
///     │    │└──────────────┘            └────┘└──────────┘
///     │    │┌details───────┐            ┌details─────────┐
///     └────┘└──────────────┘            └────────────────┘
///     status                             status
public struct Layout: Equatable, Sendable {
    public static let minimum = Size(width: 60, height: 15)

    public let size: Size
    public let titleBar: Rect
    public let statusBar: Rect
    /// Outer rects (borders included) of the visible panes.
    public let panes: [Pane: Rect]

    public var isTooSmall: Bool { size.width < Self.minimum.width || size.height < Self.minimum.height }

    /// `capture`: a capture pane is open; it takes a band below the topology.
    public init(size: Size, zoomed: Pane? = nil, capture: Bool = false) {
        self.size = size
        titleBar = Rect(x: 0, y: 0, width: size.width, height: 1)
        statusBar = Rect(x: 0, y: size.height - 1, width: size.width, height: 1)
        let body = Rect(x: 0, y: 1, width: size.width, height: size.height - 2)
        if let zoomed, zoomed != .capture || capture {
            panes = [zoomed: body]
        } else if size.width >= 120 {
            let (left, right) = body.splitLeft(min(56, max(34, size.width * 28 / 100)))
            if capture {
                let (top, rest) = right.splitTop(right.height * 35 / 100)
                let (mid, bottom) = rest.splitTop(rest.height * 55 / 100)
                panes = [.namespaces: left, .topology: top, .capture: mid, .details: bottom]
            } else {
                let (top, bottom) = right.splitTop(right.height * 55 / 100)
                panes = [.namespaces: left, .topology: top, .details: bottom]
            }
        } else {
            let (top, bottom) = body.splitTop(body.height / (capture ? 3 : 2))
            let (left, right) = top.splitLeft(min(40, max(28, size.width * 35 / 100)))
            if capture {
                let (mid, rest) = bottom.splitTop(bottom.height / 2)
                panes = [.namespaces: left, .topology: right, .capture: mid, .details: rest]
            } else {
                panes = [.namespaces: left, .topology: right, .details: bottom]
            }
        }
    }

    public func rect(_ pane: Pane) -> Rect? { panes[pane] }

    /// Rows available to list entries: the pane's inside minus its column-header row.
    public func visibleRows(_ pane: Pane) -> Int {
        guard let r = panes[pane] else { return 0 }
        return max(0, r.height - 3)
    }

    /// The visible panes in Tab order.
    public var tabOrder: [Pane] { Pane.tabOrder.filter { panes[$0] != nil } }

    public func pane(atX x: Int, y: Int) -> Pane? {
        Pane.allCases.first { panes[$0]?.contains(x: x, y: y) ?? false }
    }

    /// The help overlay's box: the whole body on small terminals (panes peeking out beside it only
    /// distract), centred and 110 columns wide on large ones.
    func helpRect() -> Rect {
        let w = size.width <= 130 ? size.width : 110
        return Rect(x: (size.width - w) / 2, y: 1, width: w, height: size.height - 2)
    }
}

/// The tab strip set into the details pane's top border; mouse clicks use the same positions.
enum DetailTabStrip {
    /// Title and x offset (relative to the strip's start) of each tab, short titles when long ones
    /// would not fit in `width`.
    static func layout(width: Int) -> [(tab: DetailTab, title: String, x: Int)] {
        for short in [false, true] {
            var x = 0
            var out: [(DetailTab, String, Int)] = []
            for t in DetailTab.allCases {
                let title = " \(short ? t.shortTitle : t.title) "
                out.append((t, title, x))
                x += title.displayWidth + 1
            }
            if x - 1 <= width || short { return out.map { (tab: $0.0, title: $0.1, x: $0.2) } }
        }
        return []
    }
}
