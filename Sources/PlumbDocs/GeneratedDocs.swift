import PlumbCLI
import PlumbTUI

/// Every document generated from the code: a man page per command and the TUI's keybindings page. `make
/// docs` writes them (plumb-docs); PlumbToolingTests regenerates them and fails when the committed copies differ.
public enum GeneratedDocs {
    public struct File: Sendable, Equatable {
        /// Relative to the repository root.
        public var path: String
        public var text: String
    }

    /// Where the man pages live, relative to the repository root (every `*.1` there is generated).
    public static let manualDirectory = "docs/man"
    public static let keybindingsPath = "docs/keybindings.md"

    public static func files() throws -> [File] {
        try manualPages() + [File(path: keybindingsPath, text: keybindingsPage())]
    }

    static func manualPages() throws -> [File] {
        let root = try CommandHelp.decodeDump(PlumbCommand._dumpHelp())
        var pages: [File] = []
        func visit(_ command: CommandHelp, _ path: [String]) {
            let page = ManualPage(path: path, command: command)
            pages.append(File(path: "\(manualDirectory)/\(page.fileName)", text: page.render()))
            for sub in command.visibleSubcommands { visit(sub, path + [sub.commandName]) }
        }
        visit(root, [root.commandName])
        return pages
    }

    static func keybindingsPage() -> String {
        """
        <!-- Generated from the TUI's keymap table by plumb-docs (make docs). Do not edit. -->
        # Keys of the live TUI

        The same table drives the TUI's key dispatch and its `?` overlay; `plumb tui --keys-markdown` prints it.
        A key listed for a pane or a prompt takes precedence there over the same key listed for everywhere.


        """ + Keymap.default.markdownTable()
    }
}
