import CPcap
import CLinuxShims
#if canImport(Glibc)
import Glibc
#endif
import PlumbModel
import PlumbSystem

// One capture source on its own thread: enter the namespace, open and filter the pcap handle, then loop
// poll(pcap fd, wake pipe) -> non-blocking pcap_dispatch into a ring (lock held only for the copy).

/// State the libpcap callback needs, reached through pcap_dispatch's user pointer without reference counting.
final class CallbackContext {
    let ring: PacketRing
    let source: Int
    /// Single-source captures store straight into the consumer's buffer and apply the count limit here.
    let limit: Int?
    /// Unowned(unsafe): the context only lives while its worker, which holds the core, captures.
    unowned(unsafe) let core: CaptureCore
    var captured: UInt64 = 0
    var ringDropped: UInt64 = 0
    /// tv_usec -> nanoseconds (see PcapHandle.timestampScale).
    var timestampScale: UInt32 = 1

    init(ring: PacketRing, source: Int, limit: Int?, core: CaptureCore) {
        self.ring = ring; self.source = source; self.limit = limit; self.core = core
    }

    @inline(__always)
    func store(_ h: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>) {
        captured &+= 1
        if let limit, core.accepted >= limit { return }
        let hdr = h.pointee
        // With PCAP_TSTAMP_PRECISION_NANO, tv_usec carries nanoseconds.
        if ring.append(UnsafeRawBufferPointer(start: bytes, count: Int(hdr.caplen)), seconds: Int64(hdr.ts.tv_sec),
                       nanoseconds: UInt32(truncatingIfNeeded: hdr.ts.tv_usec) &* timestampScale, originalLength: Int(hdr.len),
                       source: source) == nil {
            ringDropped &+= 1
        } else if limit != nil {
            core.accepted += 1
        }
    }
}

private let pcapCallback: pcap_handler = { user, header, bytes in
    guard let user, let header, let bytes else { return }
    Unmanaged<CallbackContext>.fromOpaque(UnsafeRawPointer(user))._withUnsafeGuaranteedRef { $0.store(header, bytes) }
}

final class SourceWorker: @unchecked Sendable {
    let index: Int
    let source: CaptureSource
    let options: CaptureOptions
    /// Strong: the thread may outlive the LiveCapture object; the core drops its workers when they finish.
    let core: CaptureCore
    /// Read end polled by the thread; the write end is poked by `wake()`.
    /// Ends the capture loop's poll early.
    private let wakePipe = try? WakePipe()
    private var wakeRead: Int32 { wakePipe?.readDescriptor ?? -1 }

    // Set by the thread during the open phase (read by the starter after `opened`).
    var openError: LiveCaptureError?
    var info: CaptureSourceInfo?
    var context: CallbackContext?

    init(index: Int, source: CaptureSource, options: CaptureOptions, core: CaptureCore) {
        self.index = index; self.source = source; self.options = options; self.core = core
    }

    func wake() { wakePipe?.wake() }

    /// The thread's whole life: enter the source's namespace (checked by `NamespaceOpener`: a namespace that is
    /// gone is reported, never replaced by a newcomer at the same path), then `life` inside it.
    func run() {
        guard !source.namespace.isHost else { return life() }
        do {
            let ns = try NamespaceOpener.open(source.namespace)
            try NamespaceWorkers.inside(ns.rawValue) { life() }
        } catch {
            openError = .namespaceUnavailable(source: source.label, message: "\(error)")
            life()
        }
    }

    /// Open, report, wait for the go signal, capture, drain, report the end (on the capture's own thread, in its
    /// namespace). With `openError` already set, only the report.
    private func life() {
        var handle: PcapHandle?
        if openError == nil { do {
            let h = try PcapHandle(interface: source.interface, options: options)
            if let f = options.filter, !f.isEmpty { try h.setFilter(f) }
            handle = h
            info = CaptureSourceInfo(source: source, linkType: h.linkType, snapLength: options.snapLength,
                                     warnings: h.warnings)
        } catch let e as PcapHandle.OpenFailure {
            switch e {
            case .noSuchDevice(let m): openError = .noSuchInterface(source: source.label, message: m)
            case .permission(let m): openError = .permissionDenied(source: source.label, message: m)
            case .other(let m): openError = .openFailed(source: source.label, message: m)
            case .badFilter(let m): openError = .badFilter(source: source.label, filter: options.filter ?? "", message: m)
            }
        } catch {
            openError = .openFailed(source: source.label, message: "\(error)")
        } }
        defer { handle?.close() }
        guard core.reportOpened(), let handle else {
            core.workerFinished(index)
            return
        }
        capture(handle)
        core.workerFinished(index)
    }

    private func capture(_ handle: PcapHandle) {
        let ctx = core.makeContext(for: index)
        ctx.timestampScale = handle.timestampScale
        context = ctx
        let user = Unmanaged.passUnretained(ctx).toOpaque()
        var fds = [pollfd(fd: handle.selectableDescriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        var lastStats = monotonicMillis(), lastWatch = lastStats
        let nsID = source.namespace.inode
        // While packets flow, poll returns once per kernel block anyway. The timeout only paces the idle work:
        // the merge watermark of a multi-source capture (which must advance even on a quiet link) and, for
        // every capture, the live counters and the namespace watch.
        let multi = core.staging.count > 1
        let pollTimeout = Int32(multi ? max(10, min(options.timeoutMillis, 100)) : 250)
        loop: while true {
            fds[0].revents = 0; fds[1].revents = 0
            let n = poll(&fds, 2, pollTimeout)
            if n < 0 && errno != EINTR { core.end(.captureFailed(source: source.label, message: "poll: \(String(cString: strerror(errno)))")); break }
            if fds[1].revents != 0 { break loop }
            core.monitor.lock()
            let got = fds[0].revents != 0 ? handle.dispatch(pcapCallback, user) : 0
            let now = monotonicMillis()
            if now - lastStats >= 250 { core.updateStatsLocked(index, handle.stats(), ctx); lastStats = now }
            core.afterDispatchLocked(index)
            let wake = got > 0 && core.consumerWantsWakeLocked()
            core.monitor.unlock()
            if wake { core.monitor.broadcast() }
            if got < 0 && got != PCAP_ERROR_BREAK {
                let message = handle.lastError
                let gone = ["went down", "disappeared", "No such device", "Network is down"].contains { message.contains($0) }
                core.end(gone ? .interfaceGone(source: source.label, message: message)
                              : .captureFailed(source: source.label, message: message))
                break
            }
            if now - lastWatch >= 250 {
                lastWatch = now
                if !NamespaceEntry.isAlive(holders: source.holders, id: nsID) {
                    core.end(.namespaceVanished(source: source.label))
                    break
                }
            }
        }
        // The kernel hands a partly filled block over only when its timeout expires: wait for that once, so
        // packets that arrived just before the end (Ctrl-C, a deleted namespace or interface) are not lost.
        // The block timer keeps running after the interface is gone.
        if !options.immediate && options.timeoutMillis > 0 { usleep(UInt32(min(options.timeoutMillis, 1000) + 30) * 1000) }
        core.monitor.lock()
        _ = handle.dispatch(pcapCallback, user)
        core.updateStatsLocked(index, handle.stats(), ctx)
        core.monitor.unlock()
    }
}
