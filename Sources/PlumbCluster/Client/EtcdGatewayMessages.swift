import Foundation

// etcd's JSON gateway speaks the v3 protobuf messages in proto3's JSON mapping: keys and values are base64,
// 64-bit integers are strings (numbers are accepted on input), fields at their default value (0, false, PUT)
// are left out of answers. These types are exactly that wire shape; `EtcdClient` turns them into the public
// values (`EtcdKeyValue`, `EtcdTxnResult`, …). They are internal: only the client and its unit tests see them.

/// A 64-bit integer as the gateway writes it: a string ("42"), read from a string or a number.
struct GatewayInt: Codable, Sendable, Equatable, ExpressibleByIntegerLiteral {
    var value: Int64
    init(_ value: Int64) { self.value = value }
    init(integerLiteral value: Int64) { self.value = value }
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int64.self) { value = n; return }
        let s = try c.decode(String.self)
        guard let n = Int64(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a 64-bit integer: \(s)")
        }
        value = n
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(String(value))
    }
}

/// Bytes as base64 text, the gateway's form of keys and values.
struct GatewayBytes: Codable, Sendable, Equatable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ text: String) { bytes = Array(text.utf8) }
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = Data(base64Encoded: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not base64: \(s.prefix(40))")
        }
        bytes = Array(d)
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Data(bytes).base64EncodedString())
    }
}

struct GatewayHeader: Codable, Sendable {
    var revision: GatewayInt?
}

struct GatewayKeyValue: Codable, Sendable {
    var key: GatewayBytes
    var value: GatewayBytes?
    var create_revision: GatewayInt?
    var mod_revision: GatewayInt?
    var version: GatewayInt?
    var lease: GatewayInt?
}

/// /v3/kv/range. `range_end` "\0" means every key >= key; a prefix's range end is the prefix with its last
/// byte incremented (`EtcdKeyRange`).
struct RangeRequest: Codable, Sendable {
    var key: GatewayBytes
    var range_end: GatewayBytes?
    var limit: GatewayInt?
    var keys_only: Bool?
    var count_only: Bool?
}

struct RangeResponse: Codable, Sendable {
    var header: GatewayHeader?
    var kvs: [GatewayKeyValue]?
    var count: GatewayInt?
}

/// /v3/kv/put.
struct PutRequest: Codable, Sendable {
    var key: GatewayBytes
    var value: GatewayBytes
    var lease: GatewayInt?
}

struct PutResponse: Codable, Sendable {
    var header: GatewayHeader?
}

/// /v3/kv/deleterange.
struct DeleteRangeRequest: Codable, Sendable {
    var key: GatewayBytes
    var range_end: GatewayBytes?
}

struct DeleteRangeResponse: Codable, Sendable {
    var header: GatewayHeader?
    var deleted: GatewayInt?
}

/// /v3/kv/txn: if every compare holds, the success operations run, else the failure ones; atomically.
struct TxnRequest: Codable, Sendable {
    var compare: [Compare]
    var success: [RequestOp]
    var failure: [RequestOp]

    struct Compare: Codable, Sendable, Equatable {
        /// EQUAL is the default (left out); GREATER, LESS, NOT_EQUAL.
        var result: String?
        /// VERSION, CREATE, MOD, VALUE, LEASE.
        var target: String
        var key: GatewayBytes
        var range_end: GatewayBytes?
        var version: GatewayInt?
        var create_revision: GatewayInt?
        var mod_revision: GatewayInt?
        var value: GatewayBytes?
    }

    struct RequestOp: Codable, Sendable {
        var request_range: RangeRequest?
        var request_put: PutRequest?
        var request_delete_range: DeleteRangeRequest?
    }
}

struct TxnResponse: Codable, Sendable {
    var header: GatewayHeader?
    var succeeded: Bool?
    var responses: [ResponseOp]?

    struct ResponseOp: Codable, Sendable {
        var response_range: RangeResponse?
        var response_put: PutResponse?
        var response_delete_range: DeleteRangeResponse?
    }
}

/// /v3/lease/grant, /v3/lease/revoke, /v3/lease/keepalive (one request, one answer: the stream closes after).
struct LeaseGrantRequest: Codable, Sendable {
    var TTL: GatewayInt
    var ID: GatewayInt?
}

struct LeaseGrantResponse: Codable, Sendable {
    var header: GatewayHeader?
    var ID: GatewayInt?
    var TTL: GatewayInt?
    var error: String?
}

struct LeaseIDRequest: Codable, Sendable {
    var ID: GatewayInt
}

/// The keepalive answer, wrapped in `result` as every streamed answer is. A TTL left out (0) means the lease
/// is gone (expired or revoked).
struct LeaseKeepAliveResponse: Codable, Sendable {
    var result: Body?
    var error: GatewayStreamError?
    struct Body: Codable, Sendable {
        var header: GatewayHeader?
        var ID: GatewayInt?
        var TTL: GatewayInt?
    }
}

/// /v3/watch: one create request; the answer is a stream of `{"result": …}` objects, one per line.
struct WatchRequest: Codable, Sendable {
    var create_request: Create
    struct Create: Codable, Sendable {
        var key: GatewayBytes
        var range_end: GatewayBytes?
        var start_revision: GatewayInt?
        var prev_kv: Bool?
    }
}

struct WatchStreamMessage: Codable, Sendable {
    var result: WatchResponse?
    var error: GatewayStreamError?
}

struct WatchResponse: Codable, Sendable {
    var header: GatewayHeader?
    var watch_id: GatewayInt?
    var created: Bool?
    var canceled: Bool?
    var compact_revision: GatewayInt?
    var cancel_reason: String?
    var events: [Event]?
    struct Event: Codable, Sendable {
        /// PUT is the default (left out), DELETE.
        var type: String?
        var kv: GatewayKeyValue?
        var prev_kv: GatewayKeyValue?
    }
}

/// An error inside a stream (`{"error": {"grpc_code": 14, "http_code": 503, "message": …}}`).
struct GatewayStreamError: Codable, Sendable {
    var grpc_code: Int?
    var http_code: Int?
    var message: String?
}

/// A unary call's error body (`{"error": …, "code": 5, "message": …}`).
struct GatewayErrorBody: Codable, Sendable {
    var error: String?
    var code: Int?
    var message: String?
}
