import PlumbModel

/// Hand-written JSON for the snapshot's outer layers (snapshot, namespace, sysctls, firewall). The
/// bulk types below them already had writers; going through Codable for the layers above still cost a keyed
/// container, a generic instantiation and a conformance lookup per field on every run, about a third of
/// `plumb snapshot host --json`'s encoding time. Same contract as FastJSONWriters: keys, order and the
/// omission of nil optionals must equal the Codable form, which `JSONEncodingTests` checks.
extension JSONSink {
    func field(_ k: String, _ v: Bool) { key(k); raw(v ? "true" : "false") }
    func fieldIfPresent(_ k: String, _ v: Bool?) { if let v { field(k, v) } }
    func fieldIfPresent(_ k: String, _ v: Int?) { if let v { field(k, v) } }
    func fieldIfPresent(_ k: String, _ v: UInt64?) { if let v { field(k, v) } }
    func field(_ k: String, _ v: Double) { key(k); double(v) }

    func array<T: FastJSONWritable>(_ k: String, _ items: [T]) {
        key(k)
        open(0x5B)
        items.withUnsafeBufferPointer { buf in
            for i in buf.indices { beginElement(); buf[i].writeJSON(self) }
        }
        close(0x5D)
    }

    func array(_ k: String, _ items: [Int32]) {
        key(k)
        open(0x5B)
        for v in items { beginElement(); integer(Int64(v)) }
        close(0x5D)
    }

    /// Values without a hand-written writer go through their Codable form. Called with a concrete type, the
    /// encoder's dispatch is specialized, which keeps small flat values (holders, containers, processes, the
    /// discovery counters) as cheap as a writer: measured within 0.2M instructions of one on the 500-namespace
    /// snapshot. Arrays of values with writers must not go this way: the standard library's Array coding is
    /// generic and cost ~8k instructions per element.
    func codable<T: Encodable>(_ value: T) {
        do { try encodeValue(value) } catch {
            // The sink's encoder never throws, and the model's encode(to:) methods do not either.
            preconditionFailure("encoding \(T.self) failed: \(error)")
        }
    }

    func codableArray<T: Encodable>(_ k: String, _ items: [T]) {
        key(k)
        open(0x5B)
        for item in items { beginElement(); codable(item) }
        close(0x5D)
    }

    /// String-keyed maps come out sorted by key, as the streaming encoder writes every dictionary.
    func sortedMap<V>(_ k: String, _ map: [String: V], _ value: (V) -> Void) {
        key(k)
        open(0x7B)
        for name in map.keys.sorted() {
            key(name)
            value(map[name]!)
        }
        close(0x7D)
    }
}

extension Snapshot: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("schemaVersion", schemaVersion)
        w.field("takenAt", takenAt)
        w.array("namespaces", namespaces)
        w.codableArray("processes", processes)
        w.key("discovery"); w.codable(discovery)
        w.field("notes", notes)
        if let publishedPorts { w.codableArray("publishedPorts", publishedPorts) }
        if let runtimeNetworks { w.codableArray("runtimeNetworks", runtimeNetworks) }
        w.close(0x7D)
    }
}

extension Namespace: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("id", id)
        w.field("device", device)
        w.field("isHost", isHost)
        w.field("names", names)
        w.field("paths", paths)
        w.codableArray("heldBy", heldBy)
        w.array("pids", pids)
        w.codableArray("containers", containers)
        w.array("links", links)
        w.array("routes", routes)
        w.array("neighbors", neighbors)
        w.key("sysctls"); sysctls.writeJSON(w)
        w.key("firewall"); firewall.writeJSON(w)
        w.field("notes", notes)
        w.fieldIfPresent("cookie", cookie)
        if let sockets { w.codableArray("sockets", sockets) }
        if let owner { w.key("owner"); w.codable(owner) }
        if let why { w.key("why"); w.codable(why) }
        if let heldSince { w.field("heldSince", heldSince) }
        if let helper { w.key("helper"); w.codable(helper) }
        w.close(0x7D)
    }
}

extension Sysctls: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.fieldIfPresent("ipForward", ipForward)
        w.fieldIfPresent("ipv6Forwarding", ipv6Forwarding)
        w.fieldIfPresent("rpFilterAll", rpFilterAll)
        w.fieldIfPresent("rpFilterDefault", rpFilterDefault)
        w.sortedMap("rpFilter", rpFilter) { w.integer(Int64($0)) }
        w.sortedMap("forwarding", forwarding) { w.raw($0 ? "true" : "false") }
        w.fieldIfPresent("routeLocalnetAll", routeLocalnetAll)
        w.fieldIfPresent("routeLocalnetDefault", routeLocalnetDefault)
        w.fieldIfPresent("bridgeNfCallIptables", bridgeNfCallIptables)
        w.fieldIfPresent("bridgeNfCallIp6tables", bridgeNfCallIp6tables)
        w.close(0x7D)
    }
}

extension Firewall: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.array("tables", tables)
        w.field("notes", notes)
        w.close(0x7D)
    }
}

extension FirewallTable: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("family", family)
        w.field("name", name)
        w.field("source", source)
        w.array("chains", chains)
        w.close(0x7D)
    }
}

extension FirewallChain: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("name", name)
        w.fieldIfPresent("policy", policy)
        w.field("packets", packets)
        w.field("bytes", bytes)
        w.fieldIfPresent("hook", hook)
        w.array("rules", rules)
        w.close(0x7D)
    }
}

