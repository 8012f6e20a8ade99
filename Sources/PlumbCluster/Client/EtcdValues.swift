/// A key and its value as etcd holds them, with the revisions a compare-and-swap needs.
public struct EtcdKeyValue: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    /// The revision that created the key (0: it does not exist; what a create-if-absent compares).
    public var createRevision: Int64
    /// The revision of its last change (what an update-if-unchanged compares).
    public var modRevision: Int64
    public var version: Int64
    /// The etcd lease it is attached to (0: none): the key goes when the lease expires.
    public var lease: Int64

    public init(key: String, value: [UInt8], createRevision: Int64 = 0, modRevision: Int64 = 0, version: Int64 = 0, lease: Int64 = 0) {
        self.key = key; self.value = value; self.createRevision = createRevision; self.modRevision = modRevision
        self.version = version; self.lease = lease
    }

    /// The value as UTF-8 text (Plumb writes JSON).
    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// A range read: the keys, and the store's revision when it was read (a watch started there misses nothing).
public struct EtcdRange: Sendable, Equatable {
    public var kvs: [EtcdKeyValue]
    public var revision: Int64
}

/// One condition of a transaction.
public enum EtcdCompare: Sendable, Equatable {
    /// The key's create revision equals this (0: the key does not exist).
    case createRevision(String, equals: Int64)
    /// The key's last change was at this revision (it has not changed since it was read).
    case modRevision(String, equals: Int64)
    /// The key's value is exactly these bytes.
    case value(String, equals: [UInt8])

    /// The key does not exist.
    public static func absent(_ key: String) -> EtcdCompare { .createRevision(key, equals: 0) }
}

/// One operation of a transaction's branch.
public enum EtcdOperation: Sendable, Equatable {
    case put(String, value: [UInt8], lease: Int64? = nil)
    case delete(String)
    case deletePrefix(String)
    case get(String)
    case getPrefix(String)
}

/// A transaction's outcome: which branch ran, the revision after it, and each `get` of that branch's answer
/// (in order; other operations give an empty list).
public struct EtcdTxnResult: Sendable, Equatable {
    public var succeeded: Bool
    public var revision: Int64
    public var reads: [[EtcdKeyValue]]
}

/// A granted etcd lease: keys put with it go when it expires (TTL seconds without a keepalive) or is revoked.
public struct EtcdLease: Sendable, Equatable {
    public var id: Int64
    public var ttl: Int64
}

/// One change seen by a watch.
public struct EtcdWatchEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case put, delete }
    public var kind: Kind
    /// The key after the change (for a delete: the key and its revision, no value).
    public var kv: EtcdKeyValue
    /// The store's revision of the answer that carried this event.
    public var revision: Int64
}

/// Prefix arithmetic of etcd's ranges: [key, rangeEnd) covers every key starting with the prefix.
public enum EtcdKeyRange {
    /// The first key after every key starting with `prefix`: its last byte below 0xff incremented, the rest
    /// dropped; "\0" (every key) when there is none.
    public static func end(ofPrefix prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}
