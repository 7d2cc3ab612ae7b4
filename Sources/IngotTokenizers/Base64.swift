/// Standard base64 (RFC 4648, with padding), as tiktoken rank files, Tekken vocabularies,
/// SentencePiece charsmaps in tokenizer.json and Ingot's own Unicode table spell bytes: one
/// table-driven decoder, because a 128k-token file has 128k of them.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        return table
    }()

    /// The bytes `text` encodes, or nil when it is not valid padded base64.
    ///
    /// - Parameter ignoringWhitespace: skip spaces and line breaks (text wrapped in lines);
    ///   otherwise any of them makes the text invalid.
    static func decode<C: Collection<UInt8>>(_ text: C, ignoringWhitespace: Bool = false) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        return Self.decode(text, appendingTo: &out, ignoringWhitespace: ignoringWhitespace) ? out : nil
    }

    /// Appends the bytes `text` encodes to `out` (a vocabulary's arena); false, with `out` as it
    /// was, when `text` is not valid padded base64.
    static func decode<C: Collection<UInt8>>(_ text: C, appendingTo out: inout [UInt8], ignoringWhitespace: Bool = false) -> Bool {
        guard ignoringWhitespace || text.count % 4 == 0 else { return false }
        let start = out.count
        var quad: (UInt32, Int) = (0, 0)
        var padding = 0
        for c in text {
            if c == 0x3D {  // '='
                padding += 1
                quad.0 <<= 6
                quad.1 += 1
            } else if ignoringWhitespace && (c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) {
                continue
            } else {
                let v = Self.values[Int(c)]
                guard v != 0xFF, padding == 0 else {
                    out.removeSubrange(start...)
                    return false
                }
                quad.0 = quad.0 << 6 | UInt32(v)
                quad.1 += 1
            }
            if quad.1 == 4 {
                out.append(UInt8(truncatingIfNeeded: quad.0 >> 16))
                out.append(UInt8(truncatingIfNeeded: quad.0 >> 8))
                out.append(UInt8(truncatingIfNeeded: quad.0))
                quad = (0, 0)
            }
        }
        guard quad.1 == 0, padding <= 2 else {
            out.removeSubrange(start...)
            return false
        }
        out.removeLast(padding)
        return true
    }
}
