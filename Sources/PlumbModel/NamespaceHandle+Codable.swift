/// The JSON of a handle (plans in `--dry-run --json` and in the journal) keeps the shape the enum it replaced
/// had, `{"named":{"_0":"web"}}`, and adds `cookie` and `inode` after `_0`. Journals written before handles
/// carried identity decode as unchecked handles.
extension NamespaceHandle: Codable {
    private enum CaseKey: String, CodingKey { case host, named, path, pid }
    private enum FieldKey: String, CodingKey { case _0, cookie, inode }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CaseKey.self)
        guard let key = c.allKeys.first, c.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                                                    debugDescription: "a namespace handle has exactly one of host, named, path, pid"))
        }
        let fields = try c.nestedContainer(keyedBy: FieldKey.self, forKey: key)
        switch key {
        case .host: location = .host
        case .named: location = .named(try fields.decode(String.self, forKey: ._0))
        case .path: location = .path(try fields.decode(String.self, forKey: ._0))
        case .pid: location = .pid(try fields.decode(Int32.self, forKey: ._0))
        }
        cookie = try fields.decodeIfPresent(UInt64.self, forKey: .cookie)
        inode = try fields.decodeIfPresent(UInt64.self, forKey: .inode)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CaseKey.self)
        var fields: KeyedEncodingContainer<FieldKey>
        switch location {
        case .host:
            fields = c.nestedContainer(keyedBy: FieldKey.self, forKey: .host)
        case .named(let n):
            fields = c.nestedContainer(keyedBy: FieldKey.self, forKey: .named)
            try fields.encode(n, forKey: ._0)
        case .path(let p):
            fields = c.nestedContainer(keyedBy: FieldKey.self, forKey: .path)
            try fields.encode(p, forKey: ._0)
        case .pid(let pid):
            fields = c.nestedContainer(keyedBy: FieldKey.self, forKey: .pid)
            try fields.encode(pid, forKey: ._0)
        }
        try fields.encodeIfPresent(cookie, forKey: .cookie)
        try fields.encodeIfPresent(inode, forKey: .inode)
    }
}
