/// Which rows of a list are visible: the stored first row, moved as little as possible to keep the
/// selection on screen and never past the end. Reducer and views share it, so both see the same window.
enum ScrollWindow {
    static func top(selection: Int?, storedTop: Int, visible: Int, count: Int) -> Int {
        guard visible > 0, count > 0 else { return 0 }
        var t = min(max(0, storedTop), max(0, count - visible))
        if let s = selection {
            if s < t { t = s }
            if s >= t + visible { t = s - visible + 1 }
        }
        return max(0, t)
    }
}
