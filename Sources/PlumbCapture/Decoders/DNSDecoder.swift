import PlumbModel

// DNS (RFC 1035): header, questions and answer records, with name compression.
//
// Compression pointers may point anywhere in the message, so a crafted message can loop (a pointer to itself,
// or two pointers to each other). Names are therefore limited to `maxPointerJumps` jumps and 255 bytes of
// wire-format name; either limit trips as "malformed", never as a hang.

enum DNSDecoder {
    static let headerLength = 12
    /// Records kept per section; bigger counts are still reported in the header counts.
    static let maxRecords = 64
    static let maxPointerJumps = 32
    static let maxNameLength = 255

    enum NameError: Error { case ranOut, loop, tooLong, badLabel }

    static func decode(_ b: UnsafeRawBufferPointer, declaredLength: Int, captureCut: Bool, _ ctx: inout DecodeContext) {
        guard b.count >= headerLength else {
            ctx.ranOut("DNS", captureCut: captureCut || b.count < declaredLength,
                       "DNS: \(declaredLength) bytes, shorter than the header")
            return
        }
        var msg = DNSMessage(id: b.be16(0), flags: b.be16(2), questionCount: b.be16(4), answerCount: b.be16(6),
                             authorityCount: b.be16(8), additionalCount: b.be16(10), questions: [], answers: [],
                             messageLength: declaredLength)
        let cut = captureCut || b.count < declaredLength
        var pos = headerLength
        var problem: (reason: String, ranOut: Bool)?

        for n in 0..<Int(msg.questionCount) {
            guard n < maxRecords else { break }
            do {
                let (name, next) = try readName(b, at: pos)
                guard next + 4 <= b.count else { problem = ("DNS: question \(n + 1) past end", true); break }
                msg.questions.append(DNSQuestion(name: name, type: b.be16(next), recordClass: b.be16(next + 2)))
                pos = next + 4
            } catch {
                problem = describe(error, "question \(n + 1)")
                break
            }
        }
        if problem == nil && msg.questions.count == Int(msg.questionCount) {
            for n in 0..<Int(msg.answerCount) {
                guard n < maxRecords else { break }
                do {
                    let (record, next) = try readRecord(b, at: pos)
                    msg.answers.append(record)
                    pos = next
                } catch {
                    problem = describe(error, "answer \(n + 1)")
                    break
                }
            }
        }
        ctx.append(.dns(msg))
        if let problem {
            if problem.ranOut { ctx.ranOut("DNS", captureCut: cut, problem.reason) } else { ctx.malformed(problem.reason) }
        } else if cut {
            ctx.truncated("DNS")
        }
    }

    private static func describe(_ error: Error, _ what: String) -> (String, Bool) {
        switch error as? NameError {
        case .loop: return ("DNS: compression loop in \(what)", false)
        case .tooLong: return ("DNS: name longer than 255 bytes in \(what)", false)
        case .badLabel: return ("DNS: bad label type in \(what)", false)
        default: return ("DNS: \(what) past end", true)
        }
    }

    private static func readRecord(_ b: UnsafeRawBufferPointer, at start: Int) throws(NameError) -> (DNSRecord, Int) {
        let (name, p) = try readName(b, at: start)
        guard p + 10 <= b.count else { throw .ranOut }
        let type = b.be16(p), cls = b.be16(p + 2), ttl = b.be32(p + 4)
        let rdLength = Int(b.be16(p + 8))
        let rd = p + 10
        guard rd + rdLength <= b.count else { throw .ranOut }
        let data: DNSRecordData
        switch (type, rdLength) {
        case (1, 4): data = .a(IPAddress(ipv4: b, at: rd))
        case (28, 16): data = .aaaa(IPAddress(ipv6: b, at: rd))
        case (5, _): data = .cname(try readName(b, at: rd, limit: rd + rdLength).0)
        case (12, _): data = .ptr(try readName(b, at: rd, limit: rd + rdLength).0)
        case (2, _): data = .ns(try readName(b, at: rd, limit: rd + rdLength).0)
        default: data = .other(length: rdLength)
        }
        return (DNSRecord(name: name, type: type, recordClass: cls, ttl: ttl, data: data), rd + rdLength)
    }

    /// Reads a possibly compressed name starting at `start`; returns it with a trailing dot, and the position
    /// after the name's in-place bytes. `limit` bounds the uncompressed part (rdata must not run past its
    /// length); pointers may go anywhere inside the message.
    static func readName(_ b: UnsafeRawBufferPointer, at start: Int, limit: Int? = nil) throws(NameError) -> (String, Int) {
        var out: [UInt8] = []
        var pos = start
        var end = limit ?? b.count
        var after = -1
        var jumps = 0
        var wireLength = 0
        while true {
            guard pos < end else { throw .ranOut }
            let len = Int(b[pos])
            switch len & 0xC0 {
            case 0x00:
                if len == 0 {
                    if after < 0 { after = pos + 1 }
                    if out.isEmpty { out.append(UInt8(ascii: ".")) }
                    return (String(decoding: out, as: UTF8.self), after)
                }
                wireLength += len + 1
                guard wireLength <= maxNameLength else { throw .tooLong }
                guard pos + 1 + len <= end else { throw .ranOut }
                appendLabel(b, from: pos + 1, count: len, to: &out)
                pos += 1 + len
            case 0xC0:
                guard pos + 1 < end else { throw .ranOut }
                let target = (len & 0x3F) << 8 | Int(b[pos + 1])
                if after < 0 { after = pos + 2 }
                jumps += 1
                guard jumps <= maxPointerJumps else { throw .loop }
                // A pointer must land inside the message; beyond the captured bytes it is just missing data.
                pos = target
                end = b.count
            default:
                throw .badLabel  // 0x40/0x80: extended/unused label types (RFC 6891 removed them)
            }
        }
    }

    /// Appends a label and its dot, escaping bytes that would make the name ambiguous or unprintable the way
    /// tcpdump does (`\.`, `\\`, `\ddd`).
    private static func appendLabel(_ b: UnsafeRawBufferPointer, from: Int, count: Int, to out: inout [UInt8]) {
        for i in from..<(from + count) {
            let c = b[i]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "\\") {
                out.append(UInt8(ascii: "\\")); out.append(c)
            } else if c < 0x21 || c > 0x7E {
                out.append(UInt8(ascii: "\\"))
                out.append(0x30 + c / 100); out.append(0x30 + c / 10 % 10); out.append(0x30 + c % 10)
            } else {
                out.append(c)
            }
        }
        out.append(UInt8(ascii: "."))
    }
}
