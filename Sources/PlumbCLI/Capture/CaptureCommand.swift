import ArgumentParser
import Dispatch
import Glibc
import PlumbCapture
import PlumbModel
import PlumbSystem

/// `plumb capture`: tcpdump inside any namespace or container, several at once merged by time.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture packets inside namespaces or containers (libpcap), one or several merged by time.",
        discussion: """
            TARGET is a namespace name, pid:N, a container name or id, a namespace id, or host. Give several \
            targets to follow a flow across a veth pair, a bridge or a NAT: their packets are merged into one \
            time-ordered stream, each line labelled with its source.
            -i pairs with the targets in order (plumb capture a b -i eth0 -i veth1); a single -i applies to every \
            target; without -i, `any`.
            Ends on -c, Ctrl-C/SIGTERM, a deleted namespace, a vanished interface or a write error; the file is \
            always complete. Exit codes: 0 ended as asked (count, signal), 1 ended by the environment or a write \
            error, 4 unknown target or interface, 64 bad filter or usage, 77 not root.
            """)

    @Argument(help: "Namespace name, pid:N, container name/id, namespace id, or host (one or more).", completion: CompletionSources.targets)
    var targets: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Interface or `any` (default). Repeat to give each target its own, in order.", valueName: "iface"))
    var interface: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("BPF filter in libpcap/tcpdump syntax, e.g. 'icmp or udp port 53'.", valueName: "expression"))
    var filter: String?

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many packets.", valueName: "count"))
    var count: Int?

    @Option(name: .customShort("w"), help: ArgumentHelp("Write packets to FILE (.pcapng: pcapng with interface and namespace names; otherwise pcap; -: pcap to stdout) instead of printing them.", valueName: "file"))
    var write: String?

    @Flag(help: "With -w: overwrite FILE if it exists (only a plain file of yours, never through a symbolic link).")
    var force = false

    @Flag(help: "Print one JSON object per packet (NDJSON) with every decoded field.")
    var json = false

    @Option(name: .customShort("s"), help: ArgumentHelp("Snap length: bytes kept per packet.", valueName: "snaplen"))
    var snaplen = 262_144

    @Option(name: .customShort("B"), help: ArgumentHelp("Kernel capture buffer per source, in KiB.", valueName: "KiB"))
    var bufferSize = 8192

    @Flag(help: "Deliver each packet at once instead of per kernel block (lower latency, more CPU).")
    var immediate = false

    @Flag(name: .customLong("no-promisc"), help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("-c \(count): must be a positive number of packets") }
        if snaplen <= 0 || snaplen > 262_144 { throw ValidationError("-s \(snaplen): must be between 1 and 262144") }
        // pcap_set_buffer_size takes an int of bytes: at most 2 GiB, checked before the KiB are multiplied.
        if !(1...Self.maxBufferKiB).contains(bufferSize) {
            throw ValidationError("-B \(bufferSize): use 1 to \(Self.maxBufferKiB) KiB")
        }
        if json && write != nil { throw ValidationError("--json prints packets; -w writes them to a file: choose one") }
        if force && write == nil { throw ValidationError("--force overwrites the file of -w: give -w FILE") }
    }

    static let maxBufferKiB = Int(Int32.max) / 1024

    func run() throws {
        try requirePrivileges()
        let ifaces = try CaptureTargets.interfaces(interface, targets: targets.count)
        let sources = try CaptureTargets.resolve(targets, interfaces: ifaces)
        var options = CaptureOptions(filter: filter)
        options.snapLength = snaplen
        options.kernelBufferBytes = bufferSize * 1024
        options.immediate = immediate
        options.promiscuous = !noPromiscuous
        options.count = count
        options.retention = .untilRead

        // Signals are taken before the threads start, so none of them is killed by a default handler.
        let signals = CaptureSignals()
        let capture: LiveCapture
        do {
            capture = try LiveCapture(sources: sources, options: options)
        } catch {
            throw CommandFailure(error)
        }
        signals.onSignal { capture.stop() }

        var file: CaptureFileOutput?
        if let write {
            do {
                try CaptureFileOutput.validate(path: write, linkTypes: capture.sources.map(\.linkType))
                file = try CaptureFileOutput(path: write, sources: capture.sources, comment: commentLine(), overwrite: force)
            } catch {
                capture.stop()
                capture.waitUntilFinished()
                if case PrivateFileError.exists(let path) = error {
                    throw CommandFailure(description: "cannot write \(path): it already exists: choose another name, or pass --force to overwrite it",
                                         code: PlumbExit.usage)
                }
                throw error
            }
        }
        for s in capture.sources {
            var line = "capturing on \(s.source.label), link-type \(s.linkType), snapshot length \(s.snapLength) bytes"
            if let f = filter, !f.isEmpty { line += ", filter '\(f)'" }
            printError(line)
            for w in s.warnings { printError("warning: \(s.source.label): \(w)") }
        }

        let printer = file == nil ? CapturePrinter(json: json, sources: capture.sources) : nil
        var after: UInt64 = 0
        var delivered = 0
        var writeError: String?
        var stdoutClosed = false
        while true {
            let finished = capture.isFinished
            if let file, writeError == nil {
                // Files: packets go from the capture buffer straight into the file buffer.
                do {
                    // Batches of 2,048 keep the buffer lock short: the capture thread must never wait long for it.
                    let last = try capture.consume(after: after, limit: 2048) { try file.write($0) }
                    delivered += Int(last - after)
                    if last == after {
                        if finished { break }
                        // Sleep until a sizeable batch is there: fewer wake-ups per second on a busy link.
                        capture.wait(after: after, timeoutMillis: 250, minimumPackets: file.isStream ? 1 : 8192)
                    } else if file.isStream {
                        try file.sink.flush()  // `-w -`: a live viewer at the other end wants packets now
                    }
                    after = last
                } catch {
                    writeError = "\(error)"
                    delivered = file.written
                    capture.stop(reason: .writeFailed("\(error)"))
                }
                continue
            }
            let batch = capture.read(after: after, limit: 8192)
            if batch.isEmpty {
                if finished { break }
                capture.wait(after: after, timeoutMillis: 250)
                continue
            }
            after = batch.lastSequence
            guard let printer, writeError == nil, !stdoutClosed else { continue }  // draining after an output error
            for p in batch { printer.add(p) }
            if !printer.flush() {
                stdoutClosed = true
                capture.stop()
                continue
            }
            delivered += batch.count
        }
        if let file {
            do { try file.close() } catch { if writeError == nil { writeError = "\(error)" } }
        }
        signals.cancel()

        let reason = capture.endReason ?? .stopped
        var message: String
        if let writeError {
            message = "write failed: \(writeError)"
            if let file, !file.isStream {
                message += "; \(file.path) keeps the \(counted(file.written, "packet")) before the error (\(Readable.bytes(UInt64(file.sink.committedBytes))), a valid file)"
            }
        } else {
            switch reason {
            case .stopped where signals.received != nil: message = "interrupted by \(signals.received!)"
            case .stopped where stdoutClosed: message = "stdout was closed"
            default: message = reason.description
            }
            if let file, !file.isStream {
                message += "; \(file.written) packet\(file.written == 1 ? "" : "s") written to \(file.path)"
            }
        }
        CaptureSummary.print(stats: capture.stats(), sources: capture.sources, delivered: delivered)
        printError(message)
        if writeError != nil || !reason.isRequested { throw ExitCode(1) }
    }

    private func commentLine() -> String {
        var s = "plumb capture " + targets.joined(separator: " ")
        if !interface.isEmpty { s += " " + interface.map { "-i \($0)" }.joined(separator: " ") }
        if let filter { s += " -f '\(filter)'" }
        return s
    }
}

/// tcpdump's three closing lines (to stderr), plus plumb's own drops and per-source lines when several.
enum CaptureSummary {
    static func print(stats: [CaptureSourceStats], sources: [CaptureSourceInfo], delivered: Int) {
        let received = stats.reduce(0) { $0 + $1.received }
        let kernel = stats.reduce(0) { $0 + $1.kernelDropped }
        let ring = stats.reduce(0) { $0 + $1.ringDropped }
        func plural(_ n: some BinaryInteger, _ what: String) -> String { "\(n) packet\(n == 1 ? "" : "s") \(what)" }
        var text = plural(delivered, "captured") + "\n" + plural(received, "received by filter") + "\n"
            + plural(kernel, "dropped by kernel") + "\n"
        if ring > 0 { text += plural(ring, "dropped by plumb (its buffer was full)") + "\n" }
        if sources.count > 1 {
            for (s, st) in zip(sources, stats) {
                text += "  \(s.source.label): \(st.captured) captured, \(st.received) received by filter, \(st.kernelDropped) dropped by kernel"
                text += st.ringDropped > 0 ? ", \(st.ringDropped) dropped by plumb\n" : "\n"
            }
        }
        FileHandleWriter.write(2, text)
    }
}

/// SIGINT/SIGTERM end the capture cleanly instead of killing the process; SIGPIPE is ignored so a closed
/// stdout is an error plumb sees and handles.
final class CaptureSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLockLite()
    private var name: String?
    var received: String? { lock.locked { name } }

    init() {
        signal(SIGPIPE, SIG_IGN)
        // Past a file size limit, write() then fails with EFBIG and the capture ends like on a full disk.
        signal(SIGXFSZ, SIG_IGN)
        for (sig, label) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in
                guard let self else { return }
                let h = self.lock.locked { () -> (() -> Void)? in
                    if self.name == nil { self.name = label }
                    return self.handler
                }
                h?()
            }
            s.resume()
            sources.append(s)
        }
    }

    private var handler: (() -> Void)?
    /// Sets what a signal does; a signal that came while the capture was starting is acted on now.
    func onSignal(_ f: @escaping () -> Void) {
        let early = lock.locked { () -> Bool in handler = f; return name != nil }
        if early { f() }
    }

    func cancel() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// A pthread mutex for the few fields the signal handler shares.
final class NSLockLite: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    func locked<T>(_ body: () -> T) -> T { pthread_mutex_lock(&m); defer { pthread_mutex_unlock(&m) }; return body() }
}
