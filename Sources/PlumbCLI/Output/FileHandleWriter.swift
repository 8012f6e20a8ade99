import Glibc
import PlumbModel

/// Writes straight to an fd: large JSON goes out in one write, without Foundation's buffering layers.
enum FileHandleWriter {
    /// Text for a terminal, the choke point of every text output (results, errors, prompts): control
    /// characters from names are written as visible escapes (`TerminalText`), lines and tabs kept. Bytes
    /// (JSON, which escapes them itself, and pcap) go through the byte writers below unchanged.
    static func write(_ fd: Int32, _ s: String) {
        var s = TerminalText.escaped(s, keepingLayout: true)
        s.withUTF8 { write(fd, $0) }
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write(fd, $0) }
    }

    static func write(_ fd: Int32, _ buf: UnsafeBufferPointer<UInt8>) {
        var off = 0
        while off < buf.count {
            let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 { if errno == EINTR { continue }; return }
            off += n
        }
    }
}
