import CPcap
#if canImport(Glibc)
import Glibc
#endif

// The only file that touches libpcap. A handle is created, used and closed on one source thread (the one that
// entered the namespace); nothing here is shared between threads.

final class PcapHandle {
    enum OpenFailure: Error {
        case noSuchDevice(String)
        case permission(String)
        case other(String)
        case badFilter(String)
    }

    private(set) var pcap: OpaquePointer?
    let interface: String
    private(set) var warnings: [String] = []

    /// pcap_create + options + pcap_activate, in the calling thread's network namespace.
    init(interface: String, options: CaptureOptions) throws {
        self.interface = interface
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let p = pcap_create(interface, &err) else { throw OpenFailure.other(Self.text(err)) }
        pcap = p
        _ = pcap_set_snaplen(p, Int32(clamping: options.snapLength))
        _ = pcap_set_promisc(p, options.promiscuous ? 1 : 0)
        _ = pcap_set_buffer_size(p, Int32(clamping: options.kernelBufferBytes))
        _ = pcap_set_timeout(p, Int32(clamping: options.timeoutMillis))
        if options.immediate { _ = pcap_set_immediate_mode(p, 1) }
        // Nanosecond timestamps: merging captures of one packet on two ends of a veth needs the resolution.
        _ = pcap_set_tstamp_precision(p, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let rc = pcap_activate(p)
        if rc < 0 {
            let detail = Self.message(p, rc)
            close()
            switch rc {
            case PCAP_ERROR_NO_SUCH_DEVICE: throw OpenFailure.noSuchDevice(detail)
            case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED: throw OpenFailure.permission(detail)
            default: throw OpenFailure.other(detail)
            }
        }
        if rc > 0 { warnings.append(Self.message(p, rc)) }
        // On `any`, prefer LINUX_SLL2 (as tcpdump does): it carries the interface index of every packet.
        if interface == "any" { _ = pcap_set_datalink(p, 276) }
        var nbErr = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // Non-blocking reads: the source thread polls the fd itself (with its wake pipe) and then takes
        // whatever blocks are ready, holding the buffer lock only while copying.
        if pcap_setnonblock(p, 1, &nbErr) != 0 {
            let m = Self.text(nbErr)
            close()
            throw OpenFailure.other("pcap_setnonblock: \(m)")
        }
    }

    deinit { close() }

    private static func text(_ buf: [CChar]) -> String {
        buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// libpcap's text for an activation result: pcap_geterr when it set one, else pcap_statustostr.
    private static func message(_ p: OpaquePointer, _ rc: Int32) -> String {
        let e = String(cString: pcap_geterr(p))
        return e.isEmpty ? String(cString: pcap_statustostr(rc)) : e
    }

    func setFilter(_ expression: String) throws {
        guard let p = pcap else { return }
        var prog = bpf_program()
        if pcap_compile(p, &prog, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw OpenFailure.badFilter(String(cString: pcap_geterr(p)))
        }
        defer { pcap_freecode(&prog) }
        if pcap_setfilter(p, &prog) != 0 { throw OpenFailure.badFilter(String(cString: pcap_geterr(p))) }
    }

    /// The LINKTYPE_ value for files. pcap_datalink returns a DLT_ value; they agree except for DLT_RAW.
    var linkType: LinkType {
        guard let p = pcap else { return .ethernet }
        let dlt = pcap_datalink(p)
        if dlt == 12 || dlt == 14 { return .raw }
        return LinkType(rawValue: UInt32(bitPattern: dlt))
    }

    /// Multiplier from pcap_pkthdr's tv_usec to nanoseconds: 1 when libpcap gave nanosecond timestamps as
    /// asked, 1000 when it fell back to microseconds.
    var timestampScale: UInt32 {
        guard let p = pcap else { return 1 }
        return pcap_get_tstamp_precision(p) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 1 : 1000
    }

    var selectableDescriptor: Int32 { pcap.map { pcap_get_selectable_fd($0) } ?? -1 }

    /// Processes every packet libpcap has ready without blocking; returns the count, or -1 with `lastError`.
    @inline(__always)
    func dispatch(_ callback: pcap_handler, _ context: UnsafeMutableRawPointer) -> Int32 {
        guard let p = pcap else { return -1 }
        return pcap_dispatch(p, -1, callback, context.assumingMemoryBound(to: UInt8.self))
    }

    var lastError: String { pcap.map { String(cString: pcap_geterr($0)) } ?? "closed" }

    /// (ps_recv, ps_drop, ps_ifdrop), or nil when libpcap cannot say.
    func stats() -> (UInt32, UInt32, UInt32)? {
        guard let p = pcap else { return nil }
        var s = pcap_stat()
        guard pcap_stats(p, &s) == 0 else { return nil }
        return (s.ps_recv, s.ps_drop, s.ps_ifdrop)
    }

    func close() {
        if let p = pcap { pcap_close(p) }
        pcap = nil
    }
}
