/// The drops of a sliding window, counted once when they arrive and once when they leave: what the TUI's
/// Drops tab, badges, events log and the doctor's live evidence are made from, and what `plumb drops --for`
/// sums (a window that never forgets). A host that drops all the time (IPv6 multicast through bridges: hundreds
/// a second; a flood: 100,000 a second) made the TUI rebuild the whole window from every drop, hashing strings,
/// several times a second. Here a drop costs one lookup of a few integers (namespace inode, reason code,
/// location address, ifindex) and, when it carries a 5-tuple, none more when that is its detail's last 5-tuple (a
/// namespace's multicast repeats a few), else one flow lookup; the window is summarised from
/// the counts (`summary`, `activity`), whose size is that of the groups, not of the drops.
///
/// Time is cut into slots of one second: a drop is counted in its second's slot, and a slot's counts are taken
/// away when its second leaves the window (`advance`). With `seconds` = 10 the window holds the drops of the
/// current second and the nine before (9 to 10 s of drops). The counts are exact; what is bounded is the
/// 5-tuples kept per slot (`Limits`): a drop whose flow did not fit is counted everywhere but in its group's
/// flows, and the summary says how many (`DropSummary.flowsNotKept`). Memory is thus the groups' and the
/// interfaces' (what the kernel has) plus at most `Limits.flowsPerSlot` flows per slot, however fast drops come.
///
/// Pure: the caller says what time it is (CLOCK_MONOTONIC nanoseconds, the drops' clock).
public struct DropWindow: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Distinct 5-tuples one group keeps per slot.
        public var flowsPerGroup: Int
        /// Distinct 5-tuples kept per slot over all groups.
        public var flowsPerSlot: Int
        public init(flowsPerGroup: Int = 256, flowsPerSlot: Int = 4096) {
            self.flowsPerGroup = max(0, flowsPerGroup); self.flowsPerSlot = max(0, flowsPerSlot)
        }
        /// For one summary of a whole period (`plumb drops --for`): every flow up to 65,536 a group and 262,144
        /// in all (tens of MB at most), so that its top flows are those of a full count in any real case.
        public static let wholePeriod = Limits(flowsPerGroup: 65_536, flowsPerSlot: 262_144)
    }

    /// The window's length in seconds; nil: it never forgets (one slot, `advance` does nothing).
    public let seconds: Int?
    public let limits: Limits
    private let slotCount: Int
    /// The newest second counted (a drop's monotonic time / 1 s); its slot is `newest % slotCount`.
    private var newest: Int64 = .min

    /// What the fast path hashes: a drop's integers. It names a detail only together with the strings it was
    /// seen with (checked by `==` on each drop, which for the kernel's interned names is a pointer or a
    /// 16-byte compare), so two drops that share the integers but not the names are still told apart.
    struct RawKey: Hashable {
        var namespace: UInt64
        var reason: UInt32
        var address: UInt64
        var ifindex: Int64
    }
    /// One namespace × reason × location × interface, as the views name them.
    struct Identity: Hashable {
        var inode: UInt64?
        var attributed: Bool
        var name: String?
        var reason: String
        /// The kallsyms symbol; nil: unresolved, named by `address`.
        var symbol: String?
        var address: UInt64
        var interface: String?

        var group: GroupIdentity {
            GroupIdentity(inode: inode, attributed: attributed, name: name, reason: reason,
                          function: symbol ?? "0x" + String(address, radix: 16))
        }
    }
    /// One namespace × reason × location (function): a row of the Drops tab.
    struct GroupIdentity: Hashable {
        var inode: UInt64?
        var attributed: Bool
        var name: String?
        var reason: String
        var function: String

        /// The namespace as the views print it (`PacketDrop.namespaceLabel`), the caller's names for drops
        /// that came without one.
        func label(_ names: [UInt64: String]) -> String {
            if let name { return name }
            if let inode { return names[inode] ?? "net:[\(inode)]" }
            return attributed ? "?" : "host-wide"
        }
    }
    struct Detail {
        var identity: Identity
        var group: Int
        /// Drops in the window.
        var total = 0
        /// Drops since the last `takeEvents`, and the newest of them (for the event's time and 5-tuple).
        var pending = 0
        var lastTime = 0.0
        var lastFlow: DropFlow?
        var lastEtherType: UInt16?
        /// The flow entry this detail's last kept 5-tuple counted in (-1: none): a detail's drops mostly repeat
        /// one 5-tuple (a namespace's router solicitations, MLD reports), so a drop checks it with `==` before
        /// hashing its 5-tuple. Only a hint: the entry may have been freed or reused since.
        var flowEntry: Int32 = -1
        var live = true
    }
    struct Group {
        var identity: GroupIdentity
        /// The group's reason × location as a small number (`reasonAtIndex`): what the events log's collapsed
        /// lines are counted by, without hashing two strings a line.
        var reasonAt: Int32
        var total = 0
        /// The drops whose 5-tuple was not kept.
        var flowsNotKept = 0
        var live = true
    }
    struct FlowKey: Hashable {
        var group: Int32
        var flow: DropFlow
    }
    /// A kept 5-tuple of a group, with its drops in the window.
    struct FlowEntry {
        var key: FlowKey
        var total = 0
        /// Its text, made once (for the top flows' ties, by text): 500 namespaces' IPv6 multicast is hundreds of
        /// one-drop flows a group, and formatting them every second was most of an idle TUI's drops cost. A text
        /// leaves with its entry.
        var text: String?
        var live = true
    }
    /// A flow entry's drops in one slot.
    struct SlotFlow {
        var entry: Int32
        var count: Int
    }
    struct ReasonAt: Hashable {
        var reason: String
        var function: String
    }

    private var rawIndex: [RawKey: Int] = [:]
    private var detailIndex: [Identity: Int] = [:]
    private var groupIndex: [GroupIdentity: Int] = [:]
    private var details: [Detail] = []
    private var groups: [Group] = []
    private var freeDetails: [Int] = []
    private var freeGroups: [Int] = []
    /// Per detail and slot (detail * slotCount + slot): its drops in that slot.
    private var detailSlots: [Int] = []
    /// Per group and slot: the distinct flows it kept in that slot, and its drops whose flow was not kept.
    private var groupSlotFlows: [Int] = []
    private var groupSlotNotKept: [Int] = []
    /// The kept 5-tuples of the window, by group and flow; an entry is freed (and its index entry removed) when its
    /// last drop leaves the window.
    private var flowIndex: [FlowKey: Int32] = [:]
    private var flows: [FlowEntry] = []
    private var freeFlows: [Int32] = []
    /// Per flow entry and slot (entry * slotCount + slot): its place in `slotFlows[slot]`, -1 when not there.
    private var flowSlotPlace: [Int32] = []
    /// Per slot: the flow entries counted in it, with their counts there (expiring a slot visits these, with no
    /// hashing unless an entry's last drop leaves).
    private var slotFlows: [[SlotFlow]]
    /// The groups' reason × location pairs, numbered (renumbered when `collect` frees groups).
    private var reasonAtIndex: [ReasonAt: Int32] = [:]
    /// Per slot: the details counted in it, and the groups with flows (kept or not) in it: what expiring it visits.
    private var slotDetails: [[Int]]
    private var slotGroups: [[Int]]
    /// The second of the last `collect`.
    private var lastCollect: Int64 = .min
    /// Details with pending drops, in the order their first pending drop came (the events' order).
    private var pendingOrder: [Int] = []
    /// Groups made since the last `takeNewGroups` (a new row must be on screen at once, not at the next second).
    public private(set) var hasNewGroups = false

    /// Drops in the window.
    public private(set) var total = 0
    /// Drops counted over the window's life (including those since forgotten, and those too old to count).
    public private(set) var recorded: UInt64 = 0

    public init(seconds: Int?, limits: Limits = Limits()) {
        self.seconds = seconds.map { max(1, $0) }
        self.limits = limits
        slotCount = self.seconds ?? 1
        slotFlows = Array(repeating: [], count: slotCount)
        slotDetails = Array(repeating: [], count: slotCount)
        slotGroups = Array(repeating: [], count: slotCount)
    }

    public var isEmpty: Bool { total == 0 }

    /// The groups (namespace × reason × location) with drops in the window.
    public var groupCount: Int { groups.lazy.filter { $0.live && $0.total > 0 }.count }

    /// The 5-tuple entries kept over all slots (what the limits bound).
    public var keptFlowEntries: Int { slotFlows.reduce(0) { $0 + $1.count } }

    /// Details held (live or free): bounded by the namespace × reason × location × interface combinations of
    /// the window, not by the drops.
    var detailCapacity: Int { details.count }

    // MARK: counting

    public mutating func record<S: Sequence>(contentsOf drops: S) where S.Element == PacketDrop {
        for d in drops { record(d) }
    }

    /// Counts the kernel's tallies: each as its count of drops in its newest drop's second (a tally spans the
    /// second or so since the last take), the newest drop's 5-tuple counted once and the others' as not kept.
    public mutating func record<S: Sequence>(tallies: S) where S.Element == DropTally {
        for t in tallies { record(t.newest, count: t.count) }
    }

    /// The same for an array (what the watcher hands over): its elements are read in place, not copied through
    /// the generic sequence's witnesses (a copy of a tally retains its drop's strings).
    public mutating func record(tallies: [DropTally]) {
        for i in tallies.indices { record(tallies[i].newest, count: tallies[i].count) }
    }

    /// Counts `drop` in its second (moving the window forward when it is newer than any before); a drop older
    /// than the window goes only to the events (`takeEvents`). `count` > 1: `drop` is the newest of that many
    /// of its namespace × reason × location × interface (a `DropTally`), whose other 5-tuples are not known.
    public mutating func record(_ drop: PacketDrop, count n: Int = 1) {
        let n = max(1, n)
        recorded += UInt64(n)
        let d = detail(for: drop)
        if details[d].pending == 0 { pendingOrder.append(d) }
        details[d].pending += n
        details[d].lastTime = drop.time
        details[d].lastFlow = drop.flow
        details[d].lastEtherType = drop.etherType

        var slot = 0
        if seconds != nil {
            let second = Int64(drop.monotonicNanos / 1_000_000_000)
            if second > newest { advance(toSecond: second) }
            guard second > newest - Int64(slotCount) else { return }
            slot = Int(second % Int64(slotCount))
        }
        let g = details[d].group
        details[d].total += n
        if detailSlots[d * slotCount + slot] == 0 { slotDetails[slot].append(d) }
        detailSlots[d * slotCount + slot] += n
        groups[g].total += n
        total += n
        guard let flow = drop.flow else { return }
        let gi = g * slotCount + slot
        if groupSlotFlows[gi] == 0 && groupSlotNotKept[gi] == 0 { slotGroups[slot].append(g) }
        // The drops a tally stands for besides its newest: their 5-tuples were never seen.
        let unseen = n - 1
        if unseen > 0 {
            groupSlotNotKept[gi] += unseen
            groups[g].flowsNotKept += unseen
        }
        // The flow's entry: the detail's last one when it is the same 5-tuple, else by hash (-1: none yet).
        var e = Int(details[d].flowEntry)
        if e < 0 || !flows[e].live || flows[e].key.group != Int32(g) || flows[e].key.flow != flow {
            e = flowIndex[FlowKey(group: Int32(g), flow: flow)].map(Int.init) ?? -1
        }
        if e >= 0, case let place = Int(flowSlotPlace[e * slotCount + slot]), place >= 0 {
            slotFlows[slot][place].count += 1
        } else if groupSlotFlows[gi] < limits.flowsPerGroup && slotFlows[slot].count < limits.flowsPerSlot {
            if e < 0 { e = newFlow(FlowKey(group: Int32(g), flow: flow)) }
            flowSlotPlace[e * slotCount + slot] = Int32(slotFlows[slot].count)
            slotFlows[slot].append(SlotFlow(entry: Int32(e), count: 1))
            groupSlotFlows[gi] += 1
        } else {
            groupSlotNotKept[gi] += 1
            groups[g].flowsNotKept += 1
            return
        }
        flows[e].total += 1
        details[d].flowEntry = Int32(e)
    }

    private mutating func newFlow(_ key: FlowKey) -> Int {
        let e: Int
        if let free = freeFlows.popLast() {
            e = Int(free)
            flows[e] = FlowEntry(key: key)
        } else {
            e = flows.count
            flows.append(FlowEntry(key: key))
            flowSlotPlace.append(contentsOf: repeatElement(-1, count: slotCount))
        }
        flowIndex[key] = Int32(e)
        return e
    }

    /// Moves the window to `nowNanos` (CLOCK_MONOTONIC): the seconds that left it are taken out of the counts.
    /// Time never goes back (an earlier `nowNanos` does nothing).
    public mutating func advance(nowNanos: UInt64) {
        guard seconds != nil else { return }
        let second = Int64(nowNanos / 1_000_000_000)
        if second > newest { advance(toSecond: second) }
    }

    private mutating func advance(toSecond second: Int64) {
        defer { newest = second }
        guard newest != .min else { return }
        // The slots of seconds newest+1 ... second held seconds slotCount earlier: empty them (at most all).
        let steps = Int(min(second - newest, Int64(slotCount)))
        var emptied = false
        for step in 1...steps {
            let slot = Int((newest + Int64(step)) % Int64(slotCount))
            expire(slot: slot)
            emptied = true
        }
        // What nothing counts any more is freed once per window length, not every second.
        if emptied && (lastCollect == .min || second - lastCollect >= Int64(slotCount)) {
            lastCollect = second
            collect()
        }
    }

    private mutating func expire(slot: Int) {
        // Only the details and groups counted in this slot: a host whose 500 namespaces drop multicast keeps
        // thousands of details, and visiting each every second was a fifth of the drops' cost in the TUI.
        for d in slotDetails[slot] {
            let i = d * slotCount + slot
            let n = detailSlots[i]
            guard n > 0 else { continue }
            detailSlots[i] = 0
            details[d].total -= n
            groups[details[d].group].total -= n
            total -= n
        }
        slotDetails[slot].removeAll(keepingCapacity: true)
        for f in slotFlows[slot] {
            let e = Int(f.entry)
            flowSlotPlace[e * slotCount + slot] = -1
            flows[e].total -= f.count
            if flows[e].total == 0 {
                // Its last drop left: the entry is free for another 5-tuple.
                flowIndex[flows[e].key] = nil
                flows[e].live = false
                flows[e].text = nil
                freeFlows.append(f.entry)
            }
        }
        slotFlows[slot].removeAll(keepingCapacity: true)
        for g in slotGroups[slot] {
            let i = g * slotCount + slot
            groupSlotFlows[i] = 0
            groups[g].flowsNotKept -= groupSlotNotKept[i]
            groupSlotNotKept[i] = 0
        }
        slotGroups[slot].removeAll(keepingCapacity: true)
    }

    /// Frees the details and groups nothing counts any more (their slots are reused), so that memory follows
    /// what the window holds.
    private mutating func collect() {
        var freed = false
        for d in details.indices where details[d].live && details[d].total == 0 && details[d].pending == 0 {
            details[d].live = false
            freeDetails.append(d)
            freed = true
        }
        guard freed else { return }
        var groupHasDetail = Array(repeating: false, count: groups.count)
        for d in details where d.live { groupHasDetail[d.group] = true }
        var groupsFreed = false
        for g in groups.indices where groups[g].live && !groupHasDetail[g] {
            // Its flows left with its drops (a group's flows are counted in the slots its details are).
            groups[g].live = false
            freeGroups.append(g)
            groupsFreed = true
        }
        rawIndex = rawIndex.filter { details[$0.value].live }
        detailIndex = detailIndex.filter { details[$0.value].live }
        guard groupsFreed else { return }
        groupIndex = groupIndex.filter { groups[$0.value].live }
        // The reason × location numbers of the groups left, so that they stay as few as the pairs in the window.
        reasonAtIndex.removeAll(keepingCapacity: true)
        for g in groups.indices where groups[g].live {
            groups[g].reasonAt = reasonAtNumber(groups[g].identity)
        }
    }

    private mutating func reasonAtNumber(_ identity: GroupIdentity) -> Int32 {
        let key = ReasonAt(reason: identity.reason, function: identity.function)
        if let r = reasonAtIndex[key] { return r }
        let r = Int32(reasonAtIndex.count)
        reasonAtIndex[key] = r
        return r
    }

    /// The detail `drop` counts in: by its integers when they were seen with the same names, else by its names.
    private mutating func detail(for drop: PacketDrop) -> Int {
        let ns = drop.netnsInode ?? (drop.isAttributed ? .max : .max - 1)
        let raw = RawKey(namespace: ns, reason: drop.reason.code, address: drop.location.address,
                         ifindex: drop.ifindex.map(Int64.init) ?? -1)
        if let d = rawIndex[raw], details[d].identity.reason == drop.reason.name,
           details[d].identity.symbol == drop.location.symbol, details[d].identity.interface == drop.interface,
           details[d].identity.name == drop.namespaceName, details[d].identity.inode == drop.netnsInode {
            return d
        }
        let identity = Identity(inode: drop.netnsInode, attributed: drop.isAttributed, name: drop.namespaceName,
                                reason: drop.reason.name, symbol: drop.location.symbol, address: drop.location.address,
                                interface: drop.interface)
        let d = detailIndex[identity] ?? newDetail(identity)
        rawIndex[raw] = d
        return d
    }

    private mutating func newDetail(_ identity: Identity) -> Int {
        let groupID = identity.group
        let g = groupIndex[groupID] ?? newGroup(groupID)
        let detail = Detail(identity: identity, group: g)
        let d: Int
        if let free = freeDetails.popLast() {
            d = free
            details[d] = detail
        } else {
            d = details.count
            details.append(detail)
            detailSlots.append(contentsOf: repeatElement(0, count: slotCount))
        }
        detailIndex[identity] = d
        return d
    }

    private mutating func newGroup(_ identity: GroupIdentity) -> Int {
        hasNewGroups = true
        let group = Group(identity: identity, reasonAt: reasonAtNumber(identity))
        let g: Int
        if let free = freeGroups.popLast() {
            g = free
            groups[g] = group
        } else {
            g = groups.count
            groups.append(group)
            groupSlotFlows.append(contentsOf: repeatElement(0, count: slotCount))
            groupSlotNotKept.append(contentsOf: repeatElement(0, count: slotCount))
        }
        groupIndex[identity] = g
        return g
    }

    // MARK: reading

    /// Clears `hasNewGroups` (after the caller showed them).
    public mutating func takeNewGroups() { hasNewGroups = false }

    /// The drops recorded since the last call as events-log lines: grouped by namespace, reason, location and
    /// interface in the order the groups first came, each with its count and the newest drop's 5-tuple.
    /// `names` names the namespaces whose drops came without a name.
    /// `limit`: only the last that many lines are made (a log that keeps 1,000 lines need not format the 3,000
    /// details of a second of 500 namespaces dropping IPv6 multicast); the others are taken all the same.
    /// `collapseAbove`: when more lines than that would come, one line per reason and location instead, saying
    /// in how many namespaces and where most were ("dropped 4,210 × IPV6_NDISC_NS_OTHERHOST in ndisc_rcv in 480
    /// namespaces, most in pt-s7 on eth0: ..."): a host dropping multicast everywhere would otherwise fill the
    /// log with hundreds of drop lines a second and push the link and route events out of it.
    public mutating func takeEvents(names: [UInt64: String] = [:], limit: Int? = nil,
                                    collapseAbove: Int? = nil) -> [ChangeEvent] {
        // The lines: the pending details merged per group and interface, in the order they first came. A group's
        // lines of this call are chained from `firstLine[group]` (a group has a line per interface, a few at
        // most), so merging compares interface names along a short chain instead of hashing them.
        var lines: [EventLine] = []
        lines.reserveCapacity(pendingOrder.count)
        var firstLine = [Int32](repeating: -1, count: groups.count)
        for d in pendingOrder {
            let g = details[d].group
            var i = Int(firstLine[g]), last = -1
            while i >= 0 && details[lines[i].detail].identity.interface != details[d].identity.interface {
                last = i
                i = Int(lines[i].next)
            }
            if i >= 0 {
                if details[d].lastTime >= details[lines[i].detail].lastTime { lines[i].detail = d }
                lines[i].count += details[d].pending
            } else {
                if last >= 0 { lines[last].next = Int32(lines.count) } else { firstLine[g] = Int32(lines.count) }
                lines.append(EventLine(group: g, count: details[d].pending, detail: d))
            }
        }
        for d in pendingOrder { details[d].pending = 0 }
        pendingOrder.removeAll(keepingCapacity: true)
        func line(count: Int, reasonAt g: GroupIdentity, interface: String?, detail d: Int, namespace: String,
                  across namespaces: Int = 1) -> ChangeEvent {
            var text = "dropped " + (count == 1 ? "" : "\(DropCounts.grouped(count)) × ") + "\(g.reason) in \(g.function)"
            if namespaces > 1 {
                text += " in \(DropCounts.grouped(namespaces)) namespaces, most in \(namespace)"
            }
            if let interface { text += " on \(interface)" }
            let last = details[d]
            text += ": " + (last.lastFlow?.description
                            ?? PacketDrop.protocolName(flow: nil, etherType: last.lastEtherType))
            return ChangeEvent(time: last.lastTime, namespace: namespace, kind: .drop, text: text)
        }
        if let most = collapseAbove, lines.count > most {
            return collapsed(lines, names: names).suffix(limit ?? Int.max).map { c in
                let g = groups[c.busiestGroup].identity
                return line(count: c.count, reasonAt: g, interface: details[c.busiestDetail].identity.interface,
                            detail: c.newest, namespace: g.label(names), across: c.namespaces)
            }
        }
        return lines.suffix(limit ?? lines.count).map { l in
            let g = groups[l.group].identity
            return line(count: l.count, reasonAt: g, interface: details[l.detail].identity.interface, detail: l.detail,
                        namespace: g.label(names))
        }
    }

    /// The events log's lines collapsed per reason and location: the total, in how many namespaces (by their
    /// labels, as printed), the busiest line's namespace and interface, and the newest drop's 5-tuple; in the order
    /// the reason-locations first came. Counted in arrays by the groups' reason × location numbers: a storm's
    /// second is thousands of lines, and hashing each line's strings (and a set of namespace labels per reason)
    /// was most of the events' cost.
    private func collapsed(_ lines: [EventLine], names: [UInt64: String]) -> [CollapsedLine] {
        var out: [CollapsedLine] = []
        var outOf = [Int32](repeating: -1, count: reasonAtIndex.count)
        // Each group of this call once, in the output line of its reason × location (a group has one).
        var groupSeen = [Bool](repeating: false, count: groups.count)
        var seenGroups: [Int] = []
        for l in lines {
            let r = Int(groups[l.group].reasonAt)
            if outOf[r] < 0 {
                outOf[r] = Int32(out.count)
                out.append(CollapsedLine(count: l.count, busiestGroup: l.group, busiestDetail: l.detail,
                                     busiestCount: l.count, newest: l.detail))
            } else {
                let o = Int(outOf[r])
                out[o].count += l.count
                if l.count > out[o].busiestCount {
                    out[o].busiestGroup = l.group; out[o].busiestDetail = l.detail; out[o].busiestCount = l.count
                }
                if details[l.detail].lastTime >= details[out[o].newest].lastTime { out[o].newest = l.detail }
            }
            if !groupSeen[l.group] { groupSeen[l.group] = true; seenGroups.append(l.group) }
        }
        // The namespaces per output line, by label (two groups of a reason × location may print the same name):
        // each label numbered once, the groups bucketed per output line, a label counted once per line.
        var labelNumbers: [String: Int32] = [:]
        var labelOf = [Int32](repeating: -1, count: seenGroups.count)
        var start = [Int](repeating: 0, count: out.count + 1)
        for (k, g) in seenGroups.enumerated() {
            let label = groups[g].identity.label(names)
            if let n = labelNumbers[label] { labelOf[k] = n } else {
                labelOf[k] = Int32(labelNumbers.count)
                labelNumbers[label] = Int32(labelNumbers.count)
            }
            start[Int(outOf[Int(groups[g].reasonAt)]) + 1] += 1
        }
        for o in out.indices { start[o + 1] += start[o] }
        var fill = start, bucket = [Int32](repeating: 0, count: seenGroups.count)
        for (k, g) in seenGroups.enumerated() {
            let o = Int(outOf[Int(groups[g].reasonAt)])
            bucket[fill[o]] = labelOf[k]
            fill[o] += 1
        }
        var counted = [Int32](repeating: -1, count: labelNumbers.count)
        for o in out.indices {
            for k in start[o]..<start[o + 1] where counted[Int(bucket[k])] != Int32(o) {
                counted[Int(bucket[k])] = Int32(o)
                out[o].namespaces += 1
            }
        }
        return out
    }

    /// An events-log line before it is text: a group's pending details on one interface.
    struct EventLine {
        var group: Int
        var count: Int
        /// The line's newest detail (the event's time and 5-tuple).
        var detail: Int
        /// The next line of the same group (-1: none), while the lines are merged.
        var next: Int32 = -1
    }
    /// The lines of one reason × location, collapsed.
    struct CollapsedLine {
        var count: Int
        /// The line with the most drops (the first of equals): its namespace and interface are printed.
        var busiestGroup: Int
        var busiestDetail: Int
        var busiestCount: Int
        /// The newest detail (the event's time and 5-tuple).
        var newest: Int
        var namespaces = 0
    }

    /// Each live detail with drops in the window, with its group and count: what the views sum. A visit, not an
    /// array: the views read a few fields of thousands of details, and copying each identity (four strings) into
    /// rows was most of their cost.
    func forEachCounted(_ body: (_ identity: Identity, _ group: Int, _ count: Int) -> Void) {
        details.withUnsafeBufferPointer { all in
            for d in all.indices where all[d].live && all[d].total > 0 { body(all[d].identity, all[d].group, all[d].total) }
        }
    }

    /// The reason and location (function) of group `g`, as the views print them.
    func reasonAndFunction(ofGroup g: Int) -> (reason: String, function: String) {
        (groups[g].identity.reason, groups[g].identity.function)
    }

    /// The window as `plumb drops --for` and the Drops tab print it: per namespace × reason × location, over
    /// `seconds` of time (the rates' divisor), each group's `topFlows` busiest kept 5-tuples. Mutating only to
    /// remember the flows' texts. `groups` false: the total, losses and flows not kept only, no groups.
    public mutating func summary(seconds period: Double, lost: UInt64 = 0, topFlows: Int = 5,
                        names: [UInt64: String] = [:], groups wantGroups: Bool = true) -> DropSummary {
        guard wantGroups else {
            let notKept = groups.reduce(0) { $0 + ($1.live ? $1.flowsNotKept : 0) }
            return DropSummary(seconds: period, total: total, lost: lost, groups: [], flowsNotKept: notKept)
        }
        var interfaces: [Int: Set<String>] = [:]
        forEachCounted { identity, group, _ in
            if let i = identity.interface, !i.isEmpty { interfaces[group, default: []].insert(i) }
        }
        // Each group's kept 5-tuples (the entries in the window), for its top flows.
        var groupFlows = Array(repeating: [(entry: Int, flow: DropFlow, count: Int)](), count: topFlows > 0 ? groups.count : 0)
        if topFlows > 0 {
            for e in flows.indices where flows[e].live {
                groupFlows[Int(flows[e].key.group)].append((e, flows[e].key.flow, flows[e].total))
            }
        }
        let divisor = max(period, 0.001)
        var rows: [DropSummary.Group] = []
        var notKept = 0
        for g in groups.indices where groups[g].live && groups[g].total > 0 {
            let top = topFlows > 0
                ? DropSummary.top(groupFlows[g], limit: topFlows, flowAndCount: { ($0.flow, $0.count) }) { c, flow in
                    if let known = flows[c.entry].text { return known }
                    let text = flow.description
                    flows[c.entry].text = text
                    return text
                }
                : []
            let x = groups[g]
            notKept += x.flowsNotKept
            rows.append(DropSummary.Group(namespace: x.identity.label(names), netnsInode: x.identity.inode,
                                          reason: x.identity.reason, location: x.identity.function,
                                          interfaces: (interfaces[g] ?? []).sorted(), count: x.total,
                                          rate: Double(x.total) / divisor,
                                          topFlows: top))
        }
        rows.sort {
            (-$0.count, $0.namespace, $0.reason, $0.location) < (-$1.count, $1.namespace, $1.reason, $1.location)
        }
        return DropSummary(seconds: period, total: total, lost: lost, groups: rows, flowsNotKept: notKept)
    }
}
