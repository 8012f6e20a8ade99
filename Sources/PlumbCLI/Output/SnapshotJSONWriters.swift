import PlumbModel

/// Hand-written JSON for the snapshot's outer layers (snapshot, namespace, sysctls, firewall, processes). The
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
        w.array("processes", processes)
        w.key("discovery"); discovery.writeJSON(w)
        w.field("notes", notes)
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
        w.array("heldBy", heldBy)
        w.array("pids", pids)
        w.array("containers", containers)
        w.array("links", links)
        w.array("routes", routes)
        w.array("neighbors", neighbors)
        w.key("sysctls"); sysctls.writeJSON(w)
        w.key("firewall"); firewall.writeJSON(w)
        w.field("notes", notes)
        w.fieldIfPresent("cookie", cookie)
        w.close(0x7D)
    }
}

extension Holder: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("kind", kind.rawValue)
        if let pid { w.field("pid", Int(pid)) }
        if let tid { w.field("tid", Int(tid)) }
        if let fd { w.field("fd", Int(fd)) }
        w.fieldIfPresent("path", path)
        w.close(0x7D)
    }
}

extension Container: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("runtime", runtime.rawValue)
        w.field("id", id)
        w.field("name", name)
        w.field("source", source)
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

extension ProcessRecord: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("pid", Int(pid))
        w.field("ppid", Int(ppid))
        w.field("comm", comm)
        w.field("cmdline", cmdline)
        w.key("uid"); w.unsigned(UInt64(uid))
        if let namespace { w.field("namespace", namespace) }
        w.close(0x7D)
    }
}

extension DiscoveryStats: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.field("processesScanned", processesScanned)
        w.field("threadsScanned", threadsScanned)
        w.field("processesVanished", processesVanished)
        w.field("processesUnreadable", processesUnreadable)
        w.field("fdsScanned", fdsScanned)
        w.field("mountTablesScanned", mountTablesScanned)
        w.field("namespacesVanished", namespacesVanished)
        w.field("discoveryMillis", discoveryMillis)
        w.field("netlinkMillis", netlinkMillis)
        w.field("firewallMillis", firewallMillis)
        w.field("wiringMillis", wiringMillis)
        w.close(0x7D)
    }
}
