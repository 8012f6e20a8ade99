import ArgumentParser
import Foundation
import PlumbCluster

/// `--store` and its TLS files and `--host-id`: the cluster store every `plumb net`/`ns` command may use. The
/// option wins over `PLUMB_STORE`, which wins over the system config file (docs/cluster.md). No store: local
/// only, as always, and nothing of the store's client is started.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Cluster store: etcd://HOST:PORT[,HOST:PORT…] (default: $PLUMB_STORE, or `store` in $PLUMB_CONFIG or /etc/plumb/config; none: local only).", valueName: "url"))
    var store: String?

    @Option(name: .customLong("store-ca"), help: ArgumentHelp("Store TLS: the CA file (PEM) that signed etcd's certificate.", valueName: "file"))
    var storeCA: String?

    @Option(name: .customLong("store-cert"), help: ArgumentHelp("Store TLS: this client's certificate (PEM), with --store-key.", valueName: "file"))
    var storeCert: String?

    @Option(name: .customLong("store-key"), help: ArgumentHelp("Store TLS: this client's private key (PEM), with --store-cert.", valueName: "file"))
    var storeKey: String?

    @Option(name: .customLong("host-id"), help: ArgumentHelp("This host's name in the cluster store (default: $PLUMB_HOST_ID, `host-id` in the config file, or the hostname).", valueName: "id"))
    var hostID: String?

    /// What the options, the environment and the config file say, resolved: nil without a store.
    struct Resolved: Equatable {
        var location: StoreLocation
        var tls: StoreTLSFiles
        var hostID: String
    }

    func resolve(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> Resolved? {
        let config = try SystemConfig.load(environment: env)
        guard let text = store ?? env["PLUMB_STORE"] ?? config.store else { return nil }
        let location: StoreLocation
        do { location = try StoreLocation.parse(text) } catch {
            throw CommandFailure(description: "\(error)", code: PlumbExit.usage)
        }
        let tls = StoreTLSFiles(caFile: storeCA ?? config.storeCA, certFile: storeCert ?? config.storeCert,
                                keyFile: storeKey ?? config.storeKey)
        let host = hostID ?? env["PLUMB_HOST_ID"] ?? config.hostID ?? Self.hostname()
        guard !host.isEmpty, !host.contains("/") else {
            throw CommandFailure(description: "invalid host id '\(host)': give --host-id with no '/'", code: PlumbExit.usage)
        }
        return Resolved(location: location, tls: tls, hostID: host)
    }

    /// The store's client for this command, or nil without a store.
    func cluster() throws -> ClusterStore? {
        guard let r = try resolve() else { return nil }
        do {
            return ClusterStore(client: try EtcdClient(location: r.location, tls: r.tls), hostID: r.hostID)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// Reads something from the store for a command that only adds it to its own output (map, trace): nil
    /// without a store; when the store cannot be read, one note (`what: why`) and nil, and the command goes on.
    func read<T>(unreadable what: String, _ body: (ClusterStore) throws -> T) throws -> T? {
        guard let store = try cluster() else { return nil }
        do {
            return try body(store)
        } catch {
            printNotes(["\(what): \(error)"])
            return nil
        }
    }

    static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count) == 0 else { return "localhost" }
        return String(cString: buf)
    }
}

/// Notes a change left (a cluster lease `plumb gc` must release later), one `note:` line each on stderr, so
/// stdout stays the report (or the one JSON document).
func printNotes(_ notes: [String]) {
    for n in notes { printError("note: \(n)") }
}
