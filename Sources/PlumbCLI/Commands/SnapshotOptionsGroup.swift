import ArgumentParser
import PlumbKernel
import PlumbModel

/// Options shared by every command that reads a snapshot.
struct ReadOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (the documented snapshot schema) instead of text.")
    var json = false

    @Flag(name: .long, help: "Indent the JSON (with --json); the default is one line, like `ip -j`.")
    var pretty = false

    @Flag(name: .long, help: "Do not read iptables/nftables (faster).")
    var noFirewall = false

    @Flag(name: .long, help: "Do not scan open file descriptors for namespaces held only by an fd (faster).")
    var noFdScan = false

    var format: OutputFormat { OutputFormat(json: json, pretty: pretty) }

    func snapshotOptions() -> SnapshotOptions {
        var o = SnapshotOptions()
        o.firewall = !noFirewall
        o.scanFds = !noFdScan
        return o
    }
}

/// The namespace a target names (parsed and resolved by `Target`); not found exits 4, ambiguous 64.
func resolveTarget(_ target: String, in snap: Snapshot) throws -> Namespace {
    do { return try Target.resolve(target, in: snap) } catch { throw CommandFailure(error) }
}

/// The namespace part of `NS@IP`.
func resolveTarget(_ target: AddressedTarget, in snap: Snapshot) throws -> Namespace {
    do { return try target.target.resolve(in: snap, typed: target.targetText) } catch { throw CommandFailure(error) }
}
