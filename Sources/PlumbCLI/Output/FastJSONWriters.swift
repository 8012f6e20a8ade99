import PlumbModel

/// Hand-written JSON for the model types a big snapshot holds thousands of (routes, links, neighbours): going
/// through Codable costs a container box and an encoder object per value. The keys and shapes here must equal
/// the Codable form exactly; `JSONEncodingTests` compares both on a full snapshot so they cannot drift apart.
protocol FastJSONWritable {
    func writeJSON(_ w: JSONSink)
}

extension JSONSink {
    func field(_ k: String, _ v: String) { key(k); string(v) }
    func field(_ k: String, _ v: String?) { key(k); if let v { string(v) } else { raw("null") } }
    func field(_ k: String, _ v: Int) { key(k); integer(Int64(v)) }
    func field(_ k: String, _ v: UInt64) { key(k); unsigned(v) }
    func field(_ k: String, _ v: [String]) {
        key(k)
        open(0x5B)
        for s in v { beginElement(); string(s) }
        close(0x5D)
    }
    /// Optional fields that Codable omits when nil (encodeIfPresent).
    func fieldIfPresent(_ k: String, _ v: String?) { if let v { field(k, v) } }
    /// An array of prefixes, each formatted straight into the buffer.
    func prefixes(_ k: String, _ v: [IPPrefix]) {
        key(k)
        open(0x5B)
        for p in v { beginElement(); prefix(p) }
        close(0x5D)
    }

    /// An array of addresses, each formatted straight into the buffer.
    func addresses(_ k: String, _ v: [IPAddress]) {
        key(k)
        open(0x5B)
        for a in v { beginElement(); address(a) }
        close(0x5D)
    }
}

extension Route: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("family", family.rawValue)
        w.key("table"); w.unsigned(UInt64(table))
        w.field("tableName", tableName)
        w.key("dst")
        if let dst { w.prefix(dst) } else { w.quoted("default") }
        if let gateway { w.key("gateway"); w.address(gateway) }
        w.fieldIfPresent("dev", dev)
        if let ifindex { w.field("ifindex", ifindex) }
        w.field("protocol", protocolName)
        w.field("scope", scope)
        w.field("type", type)
        if let metric { w.key("metric"); w.unsigned(UInt64(metric)) }
        if let prefsrc { w.key("prefsrc"); w.address(prefsrc) }
        w.close(0x7D)
    }
}

extension Neighbor: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("family", family.rawValue)
        w.key("ip"); w.address(ip)
        w.fieldIfPresent("mac", mac)
        w.field("ifindex", ifindex)
        w.fieldIfPresent("dev", dev)
        w.field("state", state)
        w.close(0x7D)
    }
}

extension FirewallRule: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("rule", rule)
        w.field("packets", packets)
        w.field("bytes", bytes)
        w.fieldIfPresent("target", target)
        w.close(0x7D)
    }
}

extension Link: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("index", index)
        w.field("name", name)
        w.field("kind", kind.name)
        w.field("mac", mac)
        w.field("mtu", mtu)
        w.field("flags", flags)
        w.field("operState", operState)
        w.key("master")
        if let master { w.open(0x7B); w.field("index", master.index); w.close(0x7D) } else { w.raw("null") }
        for (k, ref) in [("peer", peer), ("parent", parent)] {
            w.key(k)
            guard let ref else { w.raw("null"); continue }
            w.open(0x7B)
            w.key("namespace")
            if let ns = ref.namespace { w.unsigned(ns) } else { w.raw("null") }
            w.field("index", ref.index)
            w.close(0x7D)
        }
        w.prefixes("addresses", addresses)
        w.key("stats")
        w.open(0x7B)
        w.field("rxPackets", stats.rxPackets); w.field("txPackets", stats.txPackets)
        w.field("rxBytes", stats.rxBytes); w.field("txBytes", stats.txBytes)
        w.field("rxErrors", stats.rxErrors); w.field("txErrors", stats.txErrors)
        w.field("rxDropped", stats.rxDropped); w.field("txDropped", stats.txDropped)
        w.close(0x7D)
        if let vxlan {
            w.key("vxlan")
            w.open(0x7B)
            w.key("vni"); w.unsigned(UInt64(vxlan.vni))
            if let remote = vxlan.remote { w.key("remote"); w.address(remote) }
            if let local = vxlan.local { w.key("local"); w.address(local) }
            if let port = vxlan.port { w.field("port", port) }
            if let fdb = vxlan.fdbRemotes { w.addresses("fdbRemotes", fdb) }
            w.close(0x7D)
        }
        w.fieldIfPresent("macvlanMode", macvlanMode)
        if let bridgePort {
            w.key("bridgePort"); w.open(0x7B); w.field("state", bridgePort.state)
            if let h = bridgePort.hairpin { w.key("hairpin"); w.raw(h ? "true" : "false") }
            w.close(0x7D)
        }
        w.close(0x7D)
    }
}
