import AsyncHTTPClient
import Foundation
import NIOCore

/// An etcd v3 client over etcd's JSON gateway (HTTP/1.1 POSTs of JSON to /v3/…), built on AsyncHTTPClient.
/// It gets, ranges by prefix, puts, deletes, runs compare-and-swap transactions, grants/keeps alive/revokes
/// leases and watches prefixes. Several endpoints are members of one cluster: a call goes to the member that
/// answered last and moves on to the next one only when a member cannot be reached (a member that answers
/// with an error is not retried elsewhere: the cluster gave its answer).
///
/// Errors are `EtcdError`, one line each naming the store. Nothing of NIO or AsyncHTTPClient leaves this module.
public final class EtcdClient: Sendable {
    public let location: StoreLocation
    public let tls: StoreTLSFiles
    /// The deadline of one unary call.
    public let timeout: Duration
    let http: HTTPClient
    private let preferred = PreferredEndpoint()

    public init(location: StoreLocation, tls: StoreTLSFiles = StoreTLSFiles(), timeout: Duration = .seconds(5)) throws {
        guard !location.endpoints.isEmpty else { throw EtcdError.unreachable(store: "\(location)", reason: "no endpoint given") }
        self.location = location
        self.tls = tls
        self.timeout = timeout
        // A member that is down refuses at once; one that is unreachable must not hold a command much longer
        // than the call's own deadline.
        http = try HTTPClients.client(tls: tls, connectTimeout: .milliseconds(min(timeout, .seconds(2)).wholeMilliseconds))
    }

    var scheme: String { tls.isEnabled ? "https" : "http" }

    // MARK: keys

    /// The key's value, or nil when it does not exist.
    public func get(_ key: String) async throws -> EtcdKeyValue? {
        let r: RangeResponse = try await call("/v3/kv/range", RangeRequest(key: GatewayBytes(key)))
        return try r.kvs?.first.map(Self.keyValue)
    }

    /// Every key starting with `prefix`, in key order, and the revision they were read at; with `keysOnly`, the
    /// keys without their values (empty).
    public func range(prefix: String, keysOnly: Bool = false) async throws -> EtcdRange {
        let bytes = Array(prefix.utf8)
        let r: RangeResponse = try await call("/v3/kv/range", RangeRequest(key: GatewayBytes(bytes),
                                                                           range_end: GatewayBytes(EtcdKeyRange.end(ofPrefix: bytes)),
                                                                           keys_only: keysOnly ? true : nil))
        return EtcdRange(kvs: try (r.kvs ?? []).map(Self.keyValue), revision: r.header?.revision?.value ?? 0)
    }

    /// Writes the key (attached to `lease` when given); returns the store's revision after the write.
    @discardableResult
    public func put(_ key: String, value: [UInt8], lease: Int64? = nil) async throws -> Int64 {
        let r: PutResponse = try await call("/v3/kv/put", PutRequest(key: GatewayBytes(key), value: GatewayBytes(value),
                                                                     lease: lease.map { GatewayInt($0) }))
        return r.header?.revision?.value ?? 0
    }

    /// Deletes the key; returns how many keys went (0 or 1).
    @discardableResult
    public func delete(_ key: String) async throws -> Int64 {
        let r: DeleteRangeResponse = try await call("/v3/kv/deleterange", DeleteRangeRequest(key: GatewayBytes(key)))
        return r.deleted?.value ?? 0
    }

    /// Deletes every key starting with `prefix`; returns how many went.
    @discardableResult
    public func delete(prefix: String) async throws -> Int64 {
        let bytes = Array(prefix.utf8)
        let r: DeleteRangeResponse = try await call("/v3/kv/deleterange", DeleteRangeRequest(
            key: GatewayBytes(bytes), range_end: GatewayBytes(EtcdKeyRange.end(ofPrefix: bytes))))
        return r.deleted?.value ?? 0
    }

    /// A transaction: when every comparison holds the `success` operations run, otherwise the `failure` ones,
    /// atomically.
    public func txn(_ compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation] = []) async throws -> EtcdTxnResult {
        let request = TxnRequest(compare: compare.map(Self.gateway), success: success.map(Self.gateway), failure: failure.map(Self.gateway))
        let r: TxnResponse = try await call("/v3/kv/txn", request)
        let reads = try (r.responses ?? []).map { op in try (op.response_range?.kvs ?? []).map(Self.keyValue) }
        return EtcdTxnResult(succeeded: r.succeeded ?? false, revision: r.header?.revision?.value ?? 0, reads: reads)
    }

    /// The values of `keys` (those that exist), in as few transactions as etcd's default limit of 128 operations
    /// per transaction allows.
    public func values(of keys: [String]) async throws -> [EtcdKeyValue] {
        var out: [EtcdKeyValue] = []
        for start in stride(from: 0, to: keys.count, by: 100) {
            let chunk = keys[start..<min(keys.count, start + 100)]
            out += try await txn([], success: chunk.map { .get($0) }).reads.flatMap { $0 }
        }
        return out
    }

    /// Creates the key only when it does not exist (create revision 0), in one transaction. Returns true when
    /// this call created it; false, and the holder's value, when someone else has it.
    public func create(_ key: String, value: [UInt8], lease: Int64? = nil) async throws -> (created: Bool, holder: EtcdKeyValue?) {
        let r = try await txn([.absent(key)], success: [.put(key, value: value, lease: lease)], failure: [.get(key)])
        return (r.succeeded, r.succeeded ? nil : r.reads.first?.first)
    }

    // MARK: leases

    /// A new lease of `ttl` seconds.
    public func grantLease(ttl: Int64) async throws -> EtcdLease {
        let r: LeaseGrantResponse = try await call("/v3/lease/grant", LeaseGrantRequest(TTL: GatewayInt(ttl)))
        if let e = r.error, !e.isEmpty { throw EtcdError.server(endpoint: "\(location)", status: 200, message: e) }
        guard let id = r.ID?.value else { throw EtcdError.badResponse(endpoint: "\(location)", reason: "a lease grant without an ID") }
        return EtcdLease(id: id, ttl: r.TTL?.value ?? ttl)
    }

    /// Renews the lease once; returns its TTL again, or 0 when it is gone (expired or revoked).
    @discardableResult
    public func keepAlive(_ lease: Int64) async throws -> Int64 {
        let r: LeaseKeepAliveResponse = try await call("/v3/lease/keepalive", LeaseIDRequest(ID: GatewayInt(lease)))
        if let e = r.error { throw EtcdError.server(endpoint: "\(location)", status: e.http_code ?? 0, message: e.message ?? "keepalive failed") }
        return r.result?.TTL?.value ?? 0
    }

    /// Ends the lease now: every key attached to it goes.
    public func revoke(_ lease: Int64) async throws {
        let _: PutResponse = try await call("/v3/lease/revoke", LeaseIDRequest(ID: GatewayInt(lease)))
    }

    /// Whether a member answers and the cluster has a leader (etcd's /health).
    public func health() async throws {
        let (body, endpoint) = try await send(path: "/health", body: nil)
        struct Health: Decodable { var health: String }
        guard let h = try? JSONDecoder().decode(Health.self, from: Data(body)), h.health == "true" else {
            throw EtcdError.server(endpoint: endpoint, status: 200, message: "unhealthy: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }

    // MARK: the wire

    /// One unary gateway call: the request as JSON, the answer decoded.
    func call<Request: Encodable, Response: Decodable>(_ path: String, _ request: Request) async throws -> Response {
        let body = try JSONEncoder().encode(request)
        let (answer, endpoint) = try await send(path: path, body: Array(body))
        do {
            return try JSONDecoder().decode(Response.self, from: Data(answer))
        } catch {
            throw EtcdError.badResponse(endpoint: endpoint, reason: "\(path): \(error)")
        }
    }

    /// POSTs `body` (GET when nil) to the preferred member, moving on to the next when one cannot be reached.
    /// Returns the answer's bytes and the member that gave them; a non-2xx status is a `.server` error.
    func send(path: String, body: [UInt8]?) async throws -> (bytes: [UInt8], endpoint: String) {
        var lastReason = ""
        let endpoints = location.endpoints
        let start = preferred.index % endpoints.count
        for step in 0..<endpoints.count {
            let i = (start + step) % endpoints.count
            let ep = endpoints[i]
            var request = HTTPClientRequest(url: "\(scheme)://\(ep)\(path)")
            if let body {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response: HTTPClientResponse
            var bytes: ByteBuffer
            do {
                response = try await http.execute(request, timeout: .nanoseconds(timeout.wholeNanoseconds))
                bytes = try await response.body.collect(upTo: 64 << 20)
            } catch {
                lastReason = Self.reason(error)
                continue
            }
            preferred.index = i
            let answer = bytes.readBytes(length: bytes.readableBytes) ?? []
            guard (200..<300).contains(Int(response.status.code)) else {
                let e = try? JSONDecoder().decode(GatewayErrorBody.self, from: Data(answer))
                throw EtcdError.server(endpoint: "\(ep)", status: Int(response.status.code),
                                       message: e?.message ?? e?.error ?? String(decoding: answer.prefix(200), as: UTF8.self))
            }
            return (answer, "\(ep)")
        }
        throw EtcdError.unreachable(store: "\(location)", reason: lastReason)
    }

    /// A connection error in a few words ("connection refused", "timed out").
    static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") || text.contains("readTimeout") { return "timed out" }
        if text.lowercased().contains("refused") { return "connection refused" }
        if text.contains("remoteConnectionClosed") || text.lowercased().contains("reset") { return "connection closed" }
        return text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    // MARK: conversions

    static func keyValue(_ kv: GatewayKeyValue) throws -> EtcdKeyValue {
        EtcdKeyValue(key: String(decoding: kv.key.bytes, as: UTF8.self), value: kv.value?.bytes ?? [],
                     createRevision: kv.create_revision?.value ?? 0, modRevision: kv.mod_revision?.value ?? 0,
                     version: kv.version?.value ?? 0, lease: kv.lease?.value ?? 0)
    }

    static func gateway(_ c: EtcdCompare) -> TxnRequest.Compare {
        switch c {
        case .createRevision(let key, let rev):
            return .init(target: "CREATE", key: GatewayBytes(key), create_revision: GatewayInt(rev))
        case .modRevision(let key, let rev):
            return .init(target: "MOD", key: GatewayBytes(key), mod_revision: GatewayInt(rev))
        case .value(let key, let bytes):
            return .init(target: "VALUE", key: GatewayBytes(key), value: GatewayBytes(bytes))
        }
    }

    static func gateway(_ op: EtcdOperation) -> TxnRequest.RequestOp {
        switch op {
        case .put(let key, let value, let lease):
            return .init(request_put: PutRequest(key: GatewayBytes(key), value: GatewayBytes(value), lease: lease.map { GatewayInt($0) }))
        case .delete(let key):
            return .init(request_delete_range: DeleteRangeRequest(key: GatewayBytes(key)))
        case .deletePrefix(let prefix):
            let b = Array(prefix.utf8)
            return .init(request_delete_range: DeleteRangeRequest(key: GatewayBytes(b), range_end: GatewayBytes(EtcdKeyRange.end(ofPrefix: b))))
        case .get(let key):
            return .init(request_range: RangeRequest(key: GatewayBytes(key)))
        case .getPrefix(let prefix):
            let b = Array(prefix.utf8)
            return .init(request_range: RangeRequest(key: GatewayBytes(b), range_end: GatewayBytes(EtcdKeyRange.end(ofPrefix: b))))
        }
    }
}

/// The member that answered last (shared by concurrent calls of one client).
private final class PreferredEndpoint: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var index: Int {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}

extension Duration {
    var wholeNanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    var wholeMilliseconds: Int64 { wholeNanoseconds / 1_000_000 }
}
