import CNetlink
import PlumbModel

/// A conntrack dump as the kernel sent it (the answer datagrams of one IPCTNL_MSG_CT_GET dump, back to back),
/// parsed by the same C code as a live dump: tests read fixtures recorded from a real kernel through it.
public struct RecordedConntrackDump: Sendable {
    public var messages: [UInt8]
    public init(messages: [UInt8]) { self.messages = messages }

    public func entries() throws(ConntrackError) -> [ConntrackEntry] {
        var out: [ConntrackEntry] = []
        var bytes = messages
        try bytes.withUnsafeMutableBufferPointer { (b: inout UnsafeMutableBufferPointer<UInt8>) throws(ConntrackError) in
            var reader = plumb_ct_reader()
            reader.fd = -1
            reader.buf = b.baseAddress
            reader.cap = Int32(b.count)
            reader.len = Int32(b.count)
            try ConntrackSocket.read(&reader) { batch in
                for i in batch.indices { out.append(ConntrackEntry(batch[i])) }
            }
        }
        return out
    }
}
