// Constants of the pcapng format (draft-ietf-opsawg-pcapng) shared by the writer and the reader.

enum Pcapng {
    static let sectionHeaderBlock: UInt32 = 0x0A0D_0D0A
    static let interfaceDescriptionBlock: UInt32 = 0x0000_0001
    static let packetBlock: UInt32 = 0x0000_0002  // obsolete, read only
    static let simplePacketBlock: UInt32 = 0x0000_0003
    static let enhancedPacketBlock: UInt32 = 0x0000_0006
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D

    static let optEnd: UInt16 = 0
    static let optComment: UInt16 = 1
    static let shbHardware: UInt16 = 2
    static let shbOS: UInt16 = 3
    static let shbUserApplication: UInt16 = 4
    static let ifName: UInt16 = 2
    static let ifDescription: UInt16 = 3
    static let ifTimestampResolution: UInt16 = 9

    /// Appends one option (code, length, value padded to 4 bytes).
    static func appendOption(_ code: UInt16, _ value: [UInt8], to out: inout [UInt8]) {
        out.appendLE16(code)
        out.appendLE16(UInt16(value.count))
        out += value
        out.padTo4()
    }

    static func appendStringOption(_ code: UInt16, _ value: String?, to out: inout [UInt8]) {
        guard let value else { return }
        // Option lengths are 16-bit; longer text is cut at a UTF-8 boundary rather than corrupting the block.
        var utf8 = Array(value.utf8)
        if utf8.count > 65_532 {
            var n = 65_532
            while n > 0 && utf8[n] & 0xC0 == 0x80 { n -= 1 }
            utf8 = Array(utf8[0..<n])
        }
        appendOption(code, utf8, to: &out)
    }

    /// Wraps a block body: type, total length, body, total length.
    static func block(type: UInt32, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let total = UInt32(12 + body.count)
        out.reserveCapacity(Int(total))
        out.appendLE32(type)
        out.appendLE32(total)
        out += body
        out.appendLE32(total)
        return out
    }
}
