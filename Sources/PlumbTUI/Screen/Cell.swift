/// One terminal cell. A wide character occupies its cell (`width == 2`) and the next one, which holds a
/// `continuation` cell so column arithmetic stays simple everywhere else.
public struct Cell: Hashable, Sendable {
    public var char: Character
    public var style: Style
    /// 1 normal, 2 first half of a wide character, 0 second half (draw nothing there).
    public var width: UInt8

    public init(_ char: Character = " ", style: Style = .plain, width: UInt8 = 1) {
        self.char = char; self.style = style; self.width = width
    }

    public static let blank = Cell()
    public var isContinuation: Bool { width == 0 }
    static func continuation(_ style: Style) -> Cell { Cell(" ", style: style, width: 0) }
}
