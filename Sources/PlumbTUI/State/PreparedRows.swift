import PlumbModel

/// The rows of every pane as the reducer last computed them, handed to `AppView.render` so a frame drawn right
/// after a snapshot update does not build them a second time. Used only while the state and snapshot they were
/// built from are unchanged (same filter, selection, findings and snapshot); otherwise the view builds its own.
public struct PreparedRows {
    let rows: PaneRows
    let key: Key

    struct Key: Equatable {
        var filter: String
        var selectedNamespace: UInt64?
        var findings: [Finding]
        var takenAt: Double
        var namespaces: Int
        var links: Int
    }

    init(rows: PaneRows, for state: AppState, snapshot: Snapshot) {
        self.rows = rows
        key = Self.key(state, snapshot)
    }

    static func key(_ state: AppState, _ snapshot: Snapshot) -> Key {
        Key(filter: state.filter, selectedNamespace: state.selectedNamespace, findings: state.findings,
            takenAt: snapshot.takenAt, namespaces: snapshot.namespaces.count,
            links: snapshot.namespaces.withUnsafeBufferPointer { all in
                // Through the buffer: reduce hands each namespace over as a copy (14 retains), twice per update.
                var n = 0
                for i in all.indices { n += all[i].links.count }
                return n
            })
    }

    func matches(_ state: AppState, _ snapshot: Snapshot) -> Bool { key == Self.key(state, snapshot) }
}
