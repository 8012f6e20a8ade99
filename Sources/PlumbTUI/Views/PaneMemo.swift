/// A pane drawn once and copied into the next frames while everything it shows is the same: the namespace
/// list and the topology of the idle TUI look the same for minutes while the snapshot (its counters) changes
/// every second, and drawing their hundred rows of text was most of a frame.
///
/// The key is the caller's: every input of the pane that can change without the content (`PaneCache`) changing
/// (selection, scroll, focus, size, badges, pids, leak ages, the theme). A pane draws only inside its rect, so its
/// cells drawn on the blank frame are the same whether drawn again or copied.
enum PaneMemo {
    struct Drawn: Sendable {
        var cells: [Cell]
    }

    /// Draws a pane with `draw`, or copies its cells from the last frame that drew it with the same content and
    /// `key`. Without a content (no version), always draws.
    static func draw<K: Equatable & Sendable>(_ buf: inout ScreenBuffer, rect: Rect, slot: PaneCache.Slot,
                                              cache: PaneCache, content: PaneCache.Content?,
                                              level: PaneCache.Level = .content, key: K,
                                              draw: (inout ScreenBuffer) -> Void) {
        let area = rect.intersection(buf.bounds)
        var drew = false
        let pane = cache.value(slot, content: content, level: level, key: PlacedKey(rect: area, key: key)) { () -> Drawn in
            drew = true
            draw(&buf)
            return Drawn(cells: buf.cells(in: area))
        }
        if !drew { buf.copy(pane.cells, into: area) }
    }

    /// The caller's key and where the pane is.
    private struct PlacedKey<K: Equatable & Sendable>: Equatable, Sendable {
        var rect: Rect
        var key: K
    }
}
