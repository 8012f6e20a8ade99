/// The JSON of a namespace: the keys of its fields, in their order, as the synthesized coding wrote them
/// before the fields moved into a box (optional fields are left out when nil; the fast writer in PlumbCLI
/// writes the same).
extension Namespace: Codable {
    enum CodingKeys: String, CodingKey {
        case id, device, isHost, names, paths, heldBy, pids, containers, links, routes, neighbors, sysctls, firewall
        case notes, cookie, sockets, owner, why, heldSince, helper
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UInt64.self, forKey: .id)
        fields = Fields(device: try c.decode(UInt64.self, forKey: .device),
                        isHost: try c.decode(Bool.self, forKey: .isHost),
                        names: try c.decode([String].self, forKey: .names),
                        paths: try c.decode([String].self, forKey: .paths),
                        heldBy: try c.decode([Holder].self, forKey: .heldBy),
                        pids: try c.decode([Int32].self, forKey: .pids),
                        containers: try c.decode([Container].self, forKey: .containers),
                        links: try c.decode([Link].self, forKey: .links),
                        routes: try c.decode([Route].self, forKey: .routes),
                        neighbors: try c.decode([Neighbor].self, forKey: .neighbors),
                        sysctls: try c.decode(Sysctls.self, forKey: .sysctls),
                        firewall: try c.decode(Firewall.self, forKey: .firewall),
                        notes: try c.decode([String].self, forKey: .notes),
                        cookie: try c.decodeIfPresent(UInt64.self, forKey: .cookie),
                        sockets: try c.decodeIfPresent([SocketRecord].self, forKey: .sockets),
                        owner: try c.decodeIfPresent(NamespaceOwner.self, forKey: .owner),
                        why: try c.decodeIfPresent(Unattributed.self, forKey: .why),
                        heldSince: try c.decodeIfPresent(Double.self, forKey: .heldSince),
                        helper: try c.decodeIfPresent(NetworkHelper.self, forKey: .helper))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(fields.device, forKey: .device)
        try c.encode(fields.isHost, forKey: .isHost)
        try c.encode(fields.names, forKey: .names)
        try c.encode(fields.paths, forKey: .paths)
        try c.encode(fields.heldBy, forKey: .heldBy)
        try c.encode(fields.pids, forKey: .pids)
        try c.encode(fields.containers, forKey: .containers)
        try c.encode(fields.links, forKey: .links)
        try c.encode(fields.routes, forKey: .routes)
        try c.encode(fields.neighbors, forKey: .neighbors)
        try c.encode(fields.sysctls, forKey: .sysctls)
        try c.encode(fields.firewall, forKey: .firewall)
        try c.encode(fields.notes, forKey: .notes)
        try c.encodeIfPresent(fields.cookie, forKey: .cookie)
        try c.encodeIfPresent(fields.sockets, forKey: .sockets)
        try c.encodeIfPresent(fields.owner, forKey: .owner)
        try c.encodeIfPresent(fields.why, forKey: .why)
        try c.encodeIfPresent(fields.heldSince, forKey: .heldSince)
        try c.encodeIfPresent(fields.helper, forKey: .helper)
    }
}
