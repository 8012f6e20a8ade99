/// Where the user was before following a jump into the Firewall tab (Enter on a rule, `:chain NAME`): Esc
/// there returns to it, even after moving around in the chain jumped to.
public struct JumpOrigin: Equatable, Sendable {
    public var namespace: UInt64?
    public var link: LinkID?
    public var focus: Pane
    public var tab: DetailTab
    public var row: Int
    public var top: Int
}

extension AppState {
    var currentPlace: JumpOrigin {
        JumpOrigin(namespace: selectedNamespace, link: selectedLink, focus: focus, tab: detailTab,
                   row: selectedRow(detailTab), top: scroll[.details(detailTab)] ?? 0)
    }

    /// Back to the place before the last jump; false when there was no jump to return from.
    mutating func returnFromJump() -> Bool {
        guard let o = jumpStack.popLast() else { return false }
        let older = jumpStack
        if let ns = o.namespace, ns != selectedNamespace { selectNamespace(ns) }  // resets the stack: restored below
        jumpStack = older
        selectedLink = o.link
        focus = o.focus
        detailTab = o.tab
        detailRow[o.tab] = o.row
        scroll[.details(o.tab)] = o.top
        return true
    }
}
