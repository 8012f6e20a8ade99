/// One nftables trace event (NFT_MSG_TRACE on the NFNLGRP_NFTRACE group) as the kernel sent it: a packet that
/// carries `meta nftrace` passed a rule, returned from a chain, or met a chain's policy.
public struct NftTraceEvent: Codable, Sendable, Equatable {
    /// What the event reports (the kernel's nft_trace_types).
    public enum Kind: String, Codable, Sendable {
        case rule, `return`, policy, unknown
    }

    /// The kernel's per-packet trace id: the same for every event of one packet in one namespace.
    public var id: UInt32
    public var kind: Kind
    /// The nft family of the table (`ip`, `ip6`, `inet`, `bridge`, ...).
    public var family: String
    public var table: String
    public var chain: String
    /// The rule's handle (rule events only).
    public var handle: UInt64?
    /// accept, drop, continue, jump, goto, return, queue, stolen, repeat, break (nil when the event has none).
    public var verdict: String?
    /// The chain a jump or goto went to.
    public var jumpTarget: String?
    public var inInterface: UInt32?
    public var outInterface: UInt32?
    public var mark: UInt32?
    /// The IP header and the start of the transport header as the rule saw them (after any NAT before it).
    public var networkHeader: [UInt8]
    public var transportHeader: [UInt8]

    public init(id: UInt32, kind: Kind, family: String, table: String, chain: String, handle: UInt64? = nil,
                verdict: String? = nil, jumpTarget: String? = nil, inInterface: UInt32? = nil,
                outInterface: UInt32? = nil, mark: UInt32? = nil, networkHeader: [UInt8] = [],
                transportHeader: [UInt8] = []) {
        self.id = id; self.kind = kind; self.family = family; self.table = table; self.chain = chain
        self.handle = handle; self.verdict = verdict; self.jumpTarget = jumpTarget; self.inInterface = inInterface
        self.outInterface = outInterface; self.mark = mark; self.networkHeader = networkHeader
        self.transportHeader = transportHeader
    }
}

/// The nftables tables `plumb trace --live` adds for one probe (one per trace, in every namespace on the path):
/// they only mark that probe with `meta nftrace` and accept everything else unchanged. They belong to Plumb;
/// readers that judge a firewall (the static trace, the doctor) skip them.
public enum LiveTraceTables {
    public static let prefix = "plumb_trace_"

    public static func isTraceTable(_ name: String) -> Bool { name.hasPrefix(prefix) }

    /// The table of the trace whose probe is tagged `tag` (its source port or ICMP id).
    public static func name(tag: UInt16, pid: Int32) -> String { "\(prefix)\(pid)_\(tag)" }
}
