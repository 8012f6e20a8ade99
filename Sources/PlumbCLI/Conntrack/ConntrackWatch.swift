import PlumbKernel
import PlumbModel

/// `plumb conntrack --watch`: the namespace's conntrack events as they happen, filtered, one line each (text
/// like `conntrack -E`, or one JSON object per line), until interrupted or `--max-events` were printed.
struct ConntrackWatch {
    var namespace: ConntrackNamespace
    var filter: ConntrackFilter
    var json: Bool
    var maxEvents: Int?

    func run() throws {
        let socket: ConntrackEventSocket
        do {
            socket = try ConntrackReader.events(in: namespace.handle)
        } catch let e as NamespaceOpenError {
            throw CommandFailure(description: "namespace \(namespace.name): \(e)", code: PlumbExit.notFound)
        } catch {
            throw ConntrackNamespace.failure(error, in: namespace.name)
        }
        var printed = 0
        var warnedLost = false
        while maxEvents.map({ printed < $0 }) ?? true {
            let events: [ConntrackEvent]
            do { events = try socket.next(timeoutMillis: -1) } catch { throw ConntrackNamespace.failure(error, in: namespace.name) }
            var text = ConntrackText()
            var lines: [UInt8] = []
            for ev in events where filter.matches(ev.entry) {
                if let maxEvents, printed >= maxEvents { break }
                printed += 1
                if json {
                    lines += try StreamingJSONEncoder().encode(ev) + [0x0A]
                } else {
                    text.line(ev.entry, event: ev.kind)
                }
            }
            FileHandleWriter.write(1, json ? lines : text.bytes)
            if socket.lostEvents && !warnedLost {
                warnedLost = true
                printError("conntrack events of \(namespace.name) came faster than they were read: some were lost")
            }
        }
    }
}
