import PlumbModel

/// `plumb snapshot` (and `plumb tui` without a terminal): the snapshot as the readable tree or as the JSON
/// contract. Both renderings read the same value.
struct SnapshotOutput: CommandOutput {
    var snapshot: Snapshot
    /// Namespaces to name peers from when only some are shown (nil: the shown ones).
    var names: [Namespace]? = nil
    /// Text: also the local routing table and neighbours.
    var showAll = false

    var json: Snapshot { snapshot }
    func text() -> String { SnapshotTextRenderer(showAll: showAll).render(snapshot, names: names) }
}

/// `plumb diff A B`: the change events between two snapshots.
struct DiffOutput: CommandOutput {
    var events: [ChangeEvent]

    var json: [ChangeEvent] { events }
    func text() -> String {
        events.isEmpty ? "no changes\n" : events.map { "\($0.namespace): \($0.text)\n" }.joined()
    }
}
