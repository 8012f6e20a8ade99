import Foundation
import Glibc
import PlumbCluster
import XCTest

/// A private etcd (Debian's etcd-server) for one test: one member, its own temporary data directory, client
/// and peer ports picked free on `address`. `launcher` runs it elsewhere, e.g. `["ip", "netns", "exec", "pt-ul"]`
/// or `["nsenter", "-t", PID, "-n"]` for an underlay namespace (those exec etcd, so the PID is etcd's own; pass
/// explicit ports there, since free ports are probed in the test's namespace).
///
/// `tls: true` serves https only, with client certificates required (etcd's --client-cert-auth): a CA, a server
/// certificate for `address` and a client certificate are made with openssl in the data directory; `tlsFiles`
/// are the client's (for --store-ca/--store-cert/--store-key).
///
/// `stop()` ends it by its PID (SIGTERM, then SIGKILL) and removes the data directory; `kill()` ends it at once
/// (a crash), `start()` starts it again on the same ports and data (a restart). Starting fails loudly with
/// etcd's own last log lines.
///
/// ```swift
/// let etcd = try EtcdServer()
/// defer { etcd.stop() }
/// plumb(["net", "connect", …], env: ["PLUMB_STORE": etcd.storeURL])
/// ```
final class EtcdServer: @unchecked Sendable {
    let address: String
    let clientPort: Int
    let peerPort: Int
    let dataDir: String
    let launcher: [String]
    let tls: Bool
    private var process: Spawned?

    /// `etcd://ADDRESS:PORT`, for --store or PLUMB_STORE.
    var storeURL: String { "etcd://\(address):\(clientPort)" }
    var location: StoreLocation { StoreLocation(endpoints: [.init(host: address, port: clientPort)]) }
    var pid: pid_t? { process?.pid }
    var tlsFiles: StoreTLSFiles {
        tls ? StoreTLSFiles(caFile: "\(dataDir)/ca.pem", certFile: "\(dataDir)/client.pem", keyFile: "\(dataDir)/client.key") : StoreTLSFiles()
    }
    var log: String { "\(dataDir)/etcd.log" }

    init(address: String = "127.0.0.1", clientPort: Int? = nil, peerPort: Int? = nil, launcher: [String] = [], tls: Bool = false) throws {
        self.address = address
        self.tls = tls
        self.clientPort = try clientPort ?? Self.freePort(address)
        self.peerPort = try peerPort ?? Self.freePort(address)
        self.launcher = launcher
        dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-etcd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        if tls { try makeCertificates() }
        try start()
    }

    /// Starts etcd (again) and waits until it answers /health.
    func start() throws {
        guard process == nil else { return }
        let client = "\(tls ? "https" : "http")://\(address):\(clientPort)", peer = "http://\(address):\(peerPort)"
        let tlsFlags = tls ? ["--cert-file", "\(dataDir)/server.pem", "--key-file", "\(dataDir)/server.key",
                              "--trusted-ca-file", "\(dataDir)/ca.pem", "--client-cert-auth"] : []
        process = try Shell.spawn(launcher + [
            "etcd", "--name", "pt-etcd", "--data-dir", "\(dataDir)/data",
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "pt-etcd=\(peer)", "--initial-cluster-state", "new",
            "--log-level", "warn", "--logger", "zap",
        ] + tlsFlags, log: log)
        let probe = try EtcdClient(location: location, tls: tlsFiles, timeout: .seconds(1))
        let ready = RuntimeHost.wait(20) {
            (process?.isRunning ?? false) && (try? runBlocking { try await probe.health() }) != nil
        }
        guard ready else {
            let words = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(6)
            stop()
            throw Shell.Failed(command: ["etcd"], status: -1, stderr: "etcd did not start: " + words.joined(separator: "\n"))
        }
    }

    /// Ends etcd at once, as a crash would; `start()` brings it back with its data.
    func kill() {
        guard let p = process else { return }
        process = nil
        Glibc.kill(p.pid, SIGKILL)
        p.waitUntilExit()
    }

    /// Ends etcd by its PID and removes its data.
    func stop() {
        if let p = process {
            process = nil
            RuntimeHost.stop(pid: p.pid, grace: 5)
            p.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    /// A CA, a server certificate for `address` and a client certificate, with openssl (EC P-256, one day).
    private func makeCertificates() throws {
        let d = dataDir
        try Shell.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                      "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem", "-days", "1", "-subj", "/CN=pt-etcd-ca")
        // The server certificate is a client one too: etcd's JSON gateway dials its own gRPC port with it.
        for (name, ext) in [("server", "subjectAltName=IP:\(address)\nextendedKeyUsage=serverAuth,clientAuth"),
                            ("client", "extendedKeyUsage=clientAuth")] {
            try ext.write(toFile: "\(d)/\(name).ext", atomically: true, encoding: .utf8)
            try Shell.run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", "/CN=pt-etcd-\(name)")
            try Shell.run("openssl", "x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key",
                          "-CAcreateserial", "-out", "\(d)/\(name).pem", "-days", "1", "-extfile", "\(d)/\(name).ext")
        }
    }

    /// A port nobody listens on now: bind port 0, read what the kernel chose, close.
    static func freePort(_ address: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Shell.Failed(command: ["socket"], status: errno, stderr: String(cString: strerror(errno))) }
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = 0
        inet_pton(AF_INET, address, &a.sin_addr)
        let bound = withUnsafePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Shell.Failed(command: ["bind"], status: errno, stderr: String(cString: strerror(errno))) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: a.sin_port))
    }
}
