import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// One HTTP client per TLS setting for the life of the process. AsyncHTTPClient's clients must be shut down
/// before they are freed; keeping them for the process's life (as its own `HTTPClient.shared` does) means no
/// caller has to, and a command that never touches the store never creates one: its event loop threads start
/// on first use only, so `plumb ns ls` pays nothing for the store.
enum HTTPClients {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var clients: [StoreTLSFiles: HTTPClient] = [:]

    static func client(tls: StoreTLSFiles, connectTimeout: TimeAmount) throws -> HTTPClient {
        lock.lock(); defer { lock.unlock() }
        if let c = clients[tls] { return c }
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: connectTimeout)
        config.redirectConfiguration = .disallow
        // Idle keep-alive connections are reused across a command's calls; etcd closes them on restart.
        config.connectionPool = .init(idleTimeout: .seconds(30))
        if tls.isEnabled { config.tlsConfiguration = try tlsConfiguration(tls) }
        let c = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        clients[tls] = c
        return c
    }

    static func tlsConfiguration(_ files: StoreTLSFiles) throws -> TLSConfiguration {
        var t = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = files.caFile {
                t.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            }
            switch (files.certFile, files.keyFile) {
            case (let cert?, let key?):
                t.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                t.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            case (nil, nil):
                break
            default:
                throw EtcdError.tls("--store-cert and --store-key go together: give both or neither")
            }
        } catch let e as EtcdError {
            throw e
        } catch {
            throw EtcdError.tls("\(error)")
        }
        return t
    }
}
