/// The failure message of a golden-file comparison, shared by the test targets that keep golden texts (map
/// texts, TUI frames): the first line that differs and where the actual text was written for `diff`.
public enum GoldenMismatch {
    public static func message(_ name: String, expected: String, actual: String, writtenTo path: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
        return """
            \(name) differs from its golden file at line \(first + 1):
              expected: \(first < e.count ? String(e[first]) : "<end>")
              actual:   \(first < a.count ? String(a[first]) : "<end>")
            actual written to \(path)
            """
    }
}
