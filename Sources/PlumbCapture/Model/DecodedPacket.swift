// The result of decoding one frame.

/// Whether the decoder reached the end of what the frame declared.
public enum DecodeStatus: Sendable, Equatable {
    /// Every declared header and length was present.
    case complete
    /// The capture ended before the named layer's declared end (snaplen, or a cut buffer). The layers decoded
    /// before that point are valid.
    case truncated(layer: String)
    /// A field made no sense (bad version, length smaller than a header, DNS compression loop...). Decoding
    /// stopped there; the layers before are valid.
    case malformed(String)
}

public struct DecodedPacket: Sendable {
    /// Decoded headers, outermost first.
    public var layers: [Layer]
    public var status: DecodeStatus
    /// Bytes that were available to the decoder.
    public var capturedLength: Int
    /// Bytes on the wire (from the capture record), or `capturedLength` when unknown.
    public var wireLength: Int

    public init(layers: [Layer], status: DecodeStatus, capturedLength: Int, wireLength: Int) {
        self.layers = layers; self.status = status
        self.capturedLength = capturedLength; self.wireLength = wireLength
    }

    /// A one-line, tcpdump-style description. Built on each access rather than at decode time, so the capture
    /// path pays for it only for packets that are actually displayed.
    public var summary: String { SummaryRenderer.render(self) }

    /// `(layer, field, value)` rows for a detail view, outermost layer first.
    public func fields() -> [(layer: String, name: String, value: String)] { FieldRenderer.fields(of: self) }
    /// The same rows with typed values (numbers and flags kept apart from text), for JSON.
    public func typedFields() -> [(layer: String, name: String, value: FieldValue)] { FieldRenderer.typedFields(of: self) }

    public var isComplete: Bool { status == .complete }

    // First-occurrence accessors. With VXLAN these return the outer headers; walk `layers` for the inner ones.
    public var ethernet: EthernetHeader? { for case .ethernet(let v) in layers { return v }; return nil }
    public var arp: ARPPacket? { for case .arp(let v) in layers { return v }; return nil }
    public var ipv4: IPv4Header? { for case .ipv4(let v) in layers { return v }; return nil }
    public var ipv6: IPv6Header? { for case .ipv6(let v) in layers { return v }; return nil }
    public var icmp: ICMPMessage? { for case .icmp(let v) in layers { return v }; return nil }
    public var icmpv6: ICMPv6Message? { for case .icmpv6(let v) in layers { return v }; return nil }
    public var tcp: TCPSegment? { for case .tcp(let v) in layers { return v }; return nil }
    public var udp: UDPDatagram? { for case .udp(let v) in layers { return v }; return nil }
    public var vxlan: VXLANHeader? { for case .vxlan(let v) in layers { return v }; return nil }
    public var dns: DNSMessage? { for case .dns(let v) in layers { return v }; return nil }
    public var dhcp: DHCPMessage? { for case .dhcp(let v) in layers { return v }; return nil }

    /// The layers after the first VXLAN header (the encapsulated frame), empty if there is none.
    public var innerLayers: [Layer] {
        guard let i = layers.firstIndex(where: { if case .vxlan = $0 { return true } else { return false } })
        else { return [] }
        return Array(layers[(i + 1)...])
    }
}
