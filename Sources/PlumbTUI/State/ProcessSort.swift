/// The Processes tab's sort column, in the columns' order; `o` moves to the next one and the column's header
/// carries the mark.
public enum ProcessSort: String, Sendable, CaseIterable {
    case pid, ppid, uid, comm

    public var next: ProcessSort {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The header of the column it sorts by.
    var columnTitle: String { rawValue.uppercased() }
}
