extension Keymap {
    /// The default bindings. Order matters twice: lookup takes the first match in a context, and help and
    /// the README list bindings in this order.
    public static let `default` = Keymap([
        // Navigation, everywhere.
        KeyBinding([.up, .char("k")], .moveUp, "move the selection up (scroll in help)"),
        KeyBinding([.down, .char("j")], .moveDown, "move the selection down"),
        KeyBinding([.pageUp, .ctrl("b")], .pageUp, "one page up"),
        KeyBinding([.pageDown, .ctrl("f")], .pageDown, "one page down"),
        KeyBinding([.home, .char("g")], .top, "first row"),
        KeyBinding([.end, .char("G")], .bottom, "last row"),
        KeyBinding([.tab], .nextPane, "next pane"),
        KeyBinding([.backTab], .previousPane, "previous pane"),
        KeyBinding([.enter], .drillIn, "drill in: namespace → its links → link details; rule → its target chain"),
        KeyBinding([.escape], .back, "back out (close help, cancel input, clear filter)"),
        KeyBinding([.char("/")], .filter, "filter namespaces and links by name, address or container"),
        KeyBinding([.char(":")], .command, "command line: ns NAME, chain NAME, link NAME, map, interval SECS, q"),
        KeyBinding([.char("?")], .help, "this help"),
        KeyBinding([.char("r")], .refresh, "read everything again now"),
        KeyBinding([.ctrl("l")], .redraw, "redraw the screen"),
        KeyBinding([.char("p")], .pause, "pause / resume refreshing"),
        KeyBinding([.char("z")], .zoom, "zoom the focused pane to the full screen"),
        KeyBinding([.char("q"), .ctrl("c")], .quit, "quit"),
        KeyBinding([.char("c")], .capture, "capture packets on the selected link (on every link from the namespaces pane)"),
        KeyBinding([.char("s")], .shell, "open a shell in the selected namespace or container (exit returns)"),
        KeyBinding([.char("f")], .fix, "apply the doctor's fix for the selected finding (shows the plan first)"),
        KeyBinding([.char("S")], .showSockets, "show the selected namespace's sockets: listeners, connections, owners"),
        KeyBinding([.char("P")], .showPorts, "show the published ports: target, reached?, who listens"),
        KeyBinding([.char("u")], .undo, "undo the last fix Plumb applied (shows the plan first)"),
        KeyBinding([.char("t")], .liveTrace, "live trace: send ONE real packet from the selected namespace (on the Doctor tab: along the selected finding's flow) to a destination you type, and show its path"),
        KeyBinding([.char("m")], .map, "open the map: the whole host drawn as uplinks, bridges, containers and tunnels"),

        // Pane-specific meanings of the arrows.
        KeyBinding([.right, .char("l")], .drillIn, "show the selected namespace's links", context: .namespaces),
        KeyBinding([.left, .char("h")], .previousPane, "back to the namespaces", context: .topology),
        KeyBinding([.right, .char("l")], .drillIn, "show the selected link's details", context: .topology),
        // Tabs by [ and ] (as lazydocker); h and l always move between panes.
        KeyBinding([.char("[")], .previousTab, "previous tab of the details pane"),
        KeyBinding([.char("]")], .nextTab, "next tab of the details pane"),
        KeyBinding([.left, .char("h")], .previousPane, "back to the links", context: .details),
        KeyBinding([.char("a")], .toggleAllRows, "show / hide kernel threads (Processes) and noarp or multicast entries (Neighbours)", context: .details),
        KeyBinding([.char("o")], .cycleSort, "sort the Processes tab by the next column (PID, PPID, UID, COMM)", context: .details),

        KeyBinding([.char(" ")], .capturePause, "pause / resume the packet list (capturing goes on)", context: .capture),
        KeyBinding([.char("F")], .captureFollow, "follow the newest packet", context: .capture),
        KeyBinding([.enter], .drillIn, "show / hide the selected packet's fields and bytes", context: .capture),
        KeyBinding([.char("e")], .captureFilter, "edit the BPF filter (restarts the capture)", context: .capture),
        KeyBinding([.char("w")], .captureSave, "save the packets to a file (.pcap or .pcapng)", context: .capture),
        KeyBinding([.char("x")], .captureClose, "close the capture", context: .capture),

        KeyBinding([.up, .char("k")], .moveUp, "to the connected node above (else the nearest)", context: .map),
        KeyBinding([.down, .char("j")], .moveDown, "to the connected node below (else the nearest)", context: .map),
        KeyBinding([.left, .char("h")], .mapLeft, "move to the connected node on the left (along the bus)", context: .map),
        KeyBinding([.right, .char("l")], .mapRight, "move to the connected node on the right (along the bus)", context: .map),
        KeyBinding([.tab], .mapNextNeighbour, "next node connected to the selected one", context: .map),
        KeyBinding([.backTab], .mapPreviousNeighbour, "previous node connected to the selected one", context: .map),
        KeyBinding([.enter], .drillIn, "open the node's details (the same tabs as the panes)", context: .map),
        KeyBinding([.char("/")], .filter, "find a node by name or address and pan to it (again: the next one)", context: .map),
        KeyBinding([.char("t")], .liveTrace, "live trace from the node under the cursor (its gateway or peer offered as the destination; ONE real packet)", context: .map),
        KeyBinding([.char("+")], .mapUnfold, "unfold / fold the selected bus (a bus with many ports is folded)", context: .map),
        KeyBinding([.escape, .char("m")], .back, "close the map", context: .map),

        KeyBinding([.char("y"), .enter], .confirmYes, "yes: apply the plan shown", context: .confirm),
        KeyBinding([.char("n"), .escape], .confirmNo, "no: change nothing", context: .confirm),

        KeyBinding([.escape, .char("?"), .char("q")], .closeHelp, "close this help", context: .help),

        KeyBinding([.enter], .inputAccept, "apply the filter / run the command", context: .input),
        KeyBinding([.tab], .inputComplete, "on the : line: complete the command, then the namespace, link or chain name", context: .input),
        KeyBinding([.escape], .inputCancel, "cancel (an empty filter shows everything again)", context: .input),
        KeyBinding([.backspace], .inputDeleteBackward, "delete the last character", context: .input),
        KeyBinding([.ctrl("u")], .inputClear, "clear the line", context: .input),
    ])
}
