/// GPT-2's reversible byte-to-character mapping: printable Latin-1 bytes stand for themselves,
/// the other 68 bytes map to U+0100 and up, so every byte sequence is a printable string.
enum ByteLevel {
    /// The character standing for each byte.
    static let characterForByte: [Unicode.Scalar] = {
        var printable: [UInt8] = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        for b in printable { table[Int(b)] = Unicode.Scalar(b) }
        var next: UInt32 = 0x100
        for b in 0..<256 where !printable.contains(UInt8(b)) {
            table[b] = Unicode.Scalar(next)!
            next += 1
            printable.append(UInt8(b))
        }
        return table
    }()

    /// The byte each mapped character stands for.
    static let byteForCharacter: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in characterForByte.enumerated() { map[c] = UInt8(b) }
        return map
    }()

    /// `byteForCharacter` as a flat table over scalar values (all mapped characters are below
    /// U+0144); -1 marks characters outside the mapping. Loading a 128k vocabulary decodes
    /// millions of characters: a dictionary lookup each would dominate the load time.
    static let byteForScalarValue: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, c) in characterForByte.enumerated() { table[Int(c.value)] = Int16(b) }
        return table
    }()

    /// Decodes a byte-level token string ("Ġthe") to its bytes (" the"); nil if a character is
    /// outside the mapping.
    static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        return self.appendBytes(of: token, to: &bytes) ? bytes : nil
    }

    /// Appends the bytes `token` stands for; false if a character is outside the mapping.
    static func appendBytes(of token: String, to bytes: inout [UInt8]) -> Bool {
        var token = token
        return token.withUTF8 { self.appendBytes(ofUTF8: $0, to: &bytes) }
    }

    /// Appends the bytes the UTF-8 text `token` stands for; false if a character is outside the
    /// mapping. Works on the UTF-8 bytes: every mapped character is one or two of them.
    static func appendBytes(ofUTF8 token: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) -> Bool {
        self.byteForScalarValue.withUnsafeBufferPointer { table in
            var i = 0
            while i < token.count {
                let lead = token[i]
                let value: Int
                if lead < 0x80 {
                    value = Int(lead)
                    i += 1
                } else if lead & 0xE0 == 0xC0 && i + 1 < token.count {
                    value = Int(lead & 0x1F) << 6 | Int(token[i + 1] & 0x3F)
                    i += 2
                } else {
                    return false  // three bytes or more: above every mapped character
                }
                guard value < table.count, table[value] >= 0 else { return false }
                bytes.append(UInt8(truncatingIfNeeded: table[value]))
            }
            return true
        }
    }
}
