import Glibc
import PlumbModel

/// The Events tab: a timestamped log of what appeared, vanished or changed since Plumb started — newest first,
/// narrowed by the `/` filter — so a user sees what just broke it.
enum EventsView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, ctx: RenderContext) {
        let t = ctx.theme
        let filter = state.filter.lowercased()
        let shown = ctx.events.reversed().filter {
            filter.isEmpty || $0.text.lowercased().contains(filter) || $0.namespace.lowercased().contains(filter)
        }
        if shown.isEmpty {
            let msg = ctx.events.isEmpty ? "no changes since plumb started" : "no event matches the filter"
            buf.text(msg, x: rect.x + 1, y: rect.y, width: rect.width - 1, style: t.dim)
            return
        }
        for (row, e) in shown.prefix(rect.height).enumerated() {
            let y = rect.y + row
            let time = clock(e.time)
            let style: Style = e.kind == .drop || e.text.contains("vanished") || e.text.contains("→ down") || e.text.contains("flushed")
                || e.text.contains("removed") || e.text.contains("no carrier") ? t.error : t.text
            buf.text(time, x: rect.x + 1, y: y, width: 8, style: t.dim)
            buf.text(e.namespace, x: rect.x + 10, y: y, width: 16, style: t.text.bolded)
            buf.text(e.text, x: rect.x + 27, y: y, width: max(0, rect.width - 27), style: style)
        }
    }

    /// HH:MM:SS in local time.
    static func clock(_ t: Double) -> String {
        var secs = time_t(t)
        var tmv = tm()
        localtime_r(&secs, &tmv)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))"
    }
}
