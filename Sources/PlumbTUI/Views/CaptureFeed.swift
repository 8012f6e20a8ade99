/// What the capture pane shows, prepared by the live loop from the running capture (decoded one-line
/// summaries, counters, the selected packet's fields and bytes). Plain text: the view only lays it out.
public struct CaptureFeed: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// `HH:MM:SS.mmm`
        public var time: String
        /// Which capture it came from when several are merged (empty otherwise).
        public var source: String
        public var summary: String
        /// ICMP errors, TCP resets, ARP without answer...: drawn as warnings.
        public var isWarning: Bool

        public init(time: String, source: String = "", summary: String, isWarning: Bool = false) {
            self.time = time; self.source = source; self.summary = summary; self.isWarning = isWarning
        }
    }

    /// Oldest first; the pane holds a bounded window of the newest packets.
    public var rows: [Row]
    /// e.g. `1,204 packets · 0 dropped by the kernel`.
    public var status: String
    /// Why the capture ended, or why it could not start (a filter libpcap rejected); nil while it runs.
    public var ended: String?
    /// Fields and hex dump of the selected packet (when the detail is open).
    public var detail: [String]

    public init(rows: [Row] = [], status: String = "", ended: String? = nil, detail: [String] = []) {
        self.rows = rows; self.status = status; self.ended = ended; self.detail = detail
    }
}

/// How the capture pane divides its inside: column header, packet list, the selected packet's detail (when
/// open), and a status line. Shared by the view and the reducer (scrolling, mouse).
enum CaptureGeometry {
    static func listRows(_ layout: Layout, showDetail: Bool) -> Int {
        guard let r = layout.rect(.capture) else { return 0 }
        return split(r.inset(by: 1), showDetail: showDetail).list.height
    }

    static func split(_ inside: Rect, showDetail: Bool) -> (header: Rect, list: Rect, detail: Rect?, status: Rect) {
        let (header, rest) = inside.splitTop(1)
        let (body, status) = rest.splitTop(max(0, rest.height - 1))
        guard showDetail, body.height >= 6 else { return (header, body, nil, status) }
        let (list, detail) = body.splitTop(max(2, body.height * 2 / 5))
        return (header, list, detail, status)
    }
}
