/// The JSON of a handle (plans in `--json`, `--dry-run --json` and the journal): the location's kind, its
/// value under a named key, then the identity when known:
///
///     {"kind":"host"}
///     {"kind":"named","name":"web","cookie":4099,"inode":4026532384}
///     {"kind":"path","path":"/proc/42/fd/3","cookie":4100}
///     {"kind":"pid","pid":42}
///
/// Plans journaled earlier used the enum's synthesized shape (`{"named":{"_0":"web"}}`, `{"host":{}}`, later
/// with `cookie` and `inode` after `_0`): they still decode, so an interrupted run can be finished by `gc`.
extension NamespaceHandle: Codable {
    private enum Key: String, CodingKey { case kind, name, path, pid, cookie, inode }
    private enum LegacyCase: String, CodingKey { case host, named, path, pid }
    private enum LegacyField: String, CodingKey { case _0, cookie, inode }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch location {
        case .host:
            try c.encode("host", forKey: .kind)
        case .named(let n):
            try c.encode("named", forKey: .kind)
            try c.encode(n, forKey: .name)
        case .path(let p):
            try c.encode("path", forKey: .kind)
            try c.encode(p, forKey: .path)
        case .pid(let pid):
            try c.encode("pid", forKey: .kind)
            try c.encode(pid, forKey: .pid)
        }
        try c.encodeIfPresent(cookie, forKey: .cookie)
        try c.encodeIfPresent(inode, forKey: .inode)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        guard let kind = try c.decodeIfPresent(String.self, forKey: .kind) else {
            self = try Self.legacy(decoder)
            return
        }
        let location: Location
        switch kind {
        case "host": location = .host
        case "named": location = .named(try c.decode(String.self, forKey: .name))
        case "path": location = .path(try c.decode(String.self, forKey: .path))
        case "pid": location = .pid(try c.decode(Int32.self, forKey: .pid))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown namespace kind '\(kind)'")
        }
        self.init(location, cookie: try c.decodeIfPresent(UInt64.self, forKey: .cookie),
                  inode: try c.decodeIfPresent(UInt64.self, forKey: .inode))
    }

    /// The synthesized shape: exactly one of host, named, path, pid, holding `_0` (and the identity).
    private static func legacy(_ decoder: any Decoder) throws -> NamespaceHandle {
        let c = try decoder.container(keyedBy: LegacyCase.self)
        guard let key = c.allKeys.first, c.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                                                    debugDescription: "a namespace handle has a kind (host, named, path, pid)"))
        }
        let fields = try c.nestedContainer(keyedBy: LegacyField.self, forKey: key)
        let location: Location
        switch key {
        case .host: location = .host
        case .named: location = .named(try fields.decode(String.self, forKey: ._0))
        case .path: location = .path(try fields.decode(String.self, forKey: ._0))
        case .pid: location = .pid(try fields.decode(Int32.self, forKey: ._0))
        }
        return NamespaceHandle(location, cookie: try fields.decodeIfPresent(UInt64.self, forKey: .cookie),
                               inode: try fields.decodeIfPresent(UInt64.self, forKey: .inode))
    }
}
