import Foundation
import PlumbModel
@testable import PlumbTUI

/// Shared set-up: the lab fixture after `step` refreshes, the snapshot before it, and the history of all
/// of them (so rates, sparklines and "grew since the previous sample" agree with the totals shown).
enum TestEnv {
    static let step = 30
    static let snapshot = LabFixture.snapshot(step: step)
    static let previous = LabFixture.snapshot(step: step - 1)
    static let rates = LabFixture.history(upTo: step)

    static func context(theme: Theme = .color, glyphs: Glyphs = .unicode) -> RenderContext {
        RenderContext(snapshot: snapshot, previous: previous, rates: rates, theme: theme, glyphs: glyphs)
    }

    static func state(_ size: Size = Size(width: 120, height: 40)) -> AppState {
        var s = AppState(size: size)
        s.toldUnreadableProcesses = true  // the one-time note has its own test; the frames show the rest
        s.update(snapshot: snapshot)
        return s
    }

    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40), Size(width: 200, height: 60)]

    static func namespace(_ name: String) -> Namespace { snapshot.namespaces.first { $0.displayName == name }! }

    /// The Map view opened (`m`) with the namespace `name` selected in the panes, so the map starts on it.
    static func mapOpened(on name: String, size: Size) -> AppState {
        var s = state(size)
        s.selectNamespace(namespace(name).id)
        s.press([.char("m")])
        return s
    }

    static func linkID(_ ns: String, _ link: String) -> LinkID {
        let n = namespace(ns)
        return LinkID(namespace: n.id, index: n.link(named: link)!.index)
    }
}

extension AppState {
    /// Feeds keys through the reducer, returning the effects.
    @discardableResult
    mutating func press(_ keys: [Key], snapshot: Snapshot = TestEnv.snapshot) -> [Effect] {
        keys.map { handle($0, snapshot: snapshot) }
    }

    @discardableResult
    mutating func type(_ text: String, snapshot: Snapshot = TestEnv.snapshot) -> [Effect] {
        press(text.map { Key.char($0) }, snapshot: snapshot)
    }
}

extension ScreenBuffer {
    /// The row (text) containing `needle`, and its y.
    func rowContaining(_ needle: String) -> (y: Int, text: String)? {
        for y in 0..<size.height where row(y).contains(needle) { return (y, row(y)) }
        return nil
    }

    /// Style of `word` on the first row that contains `anchor` (e.g. the state cell of one link).
    func style(of word: String, inRowWith anchor: String) -> Style? {
        guard let (y, text) = rowContaining(anchor), let r = text.range(of: word, range: text.range(of: anchor)!.lowerBound..<text.endIndex)
        else { return nil }
        let x = String(text[text.startIndex..<r.lowerBound]).count  // fixture text is single-width
        return self[x, y].style
    }
}

extension AppState {
    /// This state's frame drawn by a state that never kept anything (`PaneCache`): what a frame drawn from kept
    /// values must equal.
    func renderedUncached(_ ctx: RenderContext) -> ScreenBuffer {
        var fresh = self
        fresh.paneCache = PaneCache()
        fresh.snapshotContent = nil
        return AppView.render(fresh, ctx)
    }

    /// How many times each of the pane cache's slots was made.
    var paneBuilds: [Int] { PaneCache.Slot.allCases.map { paneCache.builds($0) } }
}
