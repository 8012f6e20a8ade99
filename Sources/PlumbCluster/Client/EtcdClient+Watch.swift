import AsyncHTTPClient
import Foundation
import NIOCore

extension EtcdClient {
    /// Every change under `prefix` from `revision` on (nil: from now), as an async sequence. Start it at a
    /// range read's revision + 1 to miss nothing between the read and the watch. The sequence ends with an
    /// `EtcdError` when etcd cancels the watch (a compacted revision, a restart) or the connection drops;
    /// the caller reads again and watches from there. Cancelling the consuming task ends the HTTP stream.
    public func watch(prefix: String, from revision: Int64? = nil) -> AsyncThrowingStream<EtcdWatchEvent, any Error> {
        let bytes = Array(prefix.utf8)
        let request = WatchRequest(create_request: .init(key: GatewayBytes(bytes), range_end: GatewayBytes(EtcdKeyRange.end(ofPrefix: bytes)),
                                                         start_revision: revision.map { GatewayInt($0) }))
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.stream(request) { events in
                        for e in events { continuation.yield(e) }
                    }
                    continuation.finish(throwing: EtcdError.watchEnded(endpoint: "\(self.location)", reason: "the stream closed"))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Opens the watch stream on the first member that answers and hands each answer's events on, until the
    /// stream ends or the task is cancelled.
    private func stream(_ request: WatchRequest, _ deliver: ([EtcdWatchEvent]) -> Void) async throws {
        let body = try JSONEncoder().encode(request)
        var lastReason = ""
        for ep in location.endpoints {
            var r = HTTPClientRequest(url: "\(scheme)://\(ep)/v3/watch")
            r.method = .POST
            r.headers.add(name: "Content-Type", value: "application/json")
            r.body = .bytes(ByteBuffer(bytes: body))
            let response: HTTPClientResponse
            do {
                // A watch runs as long as its consumer wants: a year stands for "no deadline".
                response = try await http.execute(r, timeout: .hours(24 * 365))
            } catch {
                lastReason = Self.reason(error)
                continue
            }
            guard response.status.code == 200 else {
                throw EtcdError.server(endpoint: "\(ep)", status: Int(response.status.code), message: "watch refused")
            }
            var lines = WatchLineSplitter()
            for try await chunk in response.body {
                for message in lines.append(chunk.readableBytesView) {
                    deliver(try Self.events(message, endpoint: "\(ep)"))
                }
            }
            return
        }
        throw EtcdError.unreachable(store: "\(location)", reason: lastReason)
    }

    /// The events of one streamed answer; a cancelled watch or a stream error ends the watch with an error.
    static func events(_ line: [UInt8], endpoint: String) throws -> [EtcdWatchEvent] {
        let message: WatchStreamMessage
        do {
            message = try JSONDecoder().decode(WatchStreamMessage.self, from: Data(line))
        } catch {
            throw EtcdError.badResponse(endpoint: endpoint, reason: "watch: \(error)")
        }
        if let e = message.error {
            throw EtcdError.watchEnded(endpoint: endpoint, reason: e.message ?? "error \(e.grpc_code ?? 0)")
        }
        guard let r = message.result else { return [] }
        if r.canceled == true {
            let why = r.compact_revision.map { "revision compacted up to \($0.value)" } ?? r.cancel_reason ?? "cancelled"
            throw EtcdError.watchEnded(endpoint: endpoint, reason: why)
        }
        let revision = r.header?.revision?.value ?? 0
        return try (r.events ?? []).compactMap { e in
            guard let kv = e.kv else { return nil }
            return EtcdWatchEvent(kind: e.type == "DELETE" ? .delete : .put, kv: try keyValue(kv), revision: revision)
        }
    }
}

/// Splits the watch stream into its JSON answers, one per line, however the chunks fall.
struct WatchLineSplitter {
    private var pending: [UInt8] = []

    mutating func append<C: Collection>(_ bytes: C) -> [[UInt8]] where C.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = Array(pending[..<nl])
            pending.removeSubrange(...nl)
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0d }) { lines.append(line) }
        }
        return lines
    }
}
