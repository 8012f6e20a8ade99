import PlumbModel

/// A change waiting for the user's yes: the plan is shown in full before anything touches the kernel.
public struct Confirmation: Equatable, Sendable {
    public var title: String
    /// The plan's steps, as `--dry-run` prints them.
    public var lines: [String]
    /// What `y` does.
    public var effect: Effect

    public init(title: String, lines: [String], effect: Effect) {
        self.title = title; self.lines = lines; self.effect = effect
    }
}
