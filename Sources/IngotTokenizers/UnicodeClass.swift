/// The character classes the common split patterns use (`\p{L}`, `\p{N}`, `\s`, and for the
/// case-aware o200k/Tekken patterns `\p{Lu}`... and `\p{M}`), looked up in one table indexed by
/// scalar value: the pre-tokenizer's hot loop must not call into Unicode property APIs per
/// character.
///
/// Each entry holds a major class in its low two bits and flags above them.
enum UnicodeClass {
    static let other: UInt8 = 0
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 3
    static let majorMask: UInt8 = 3

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`: a character that may start a case-aware word.
    static let upperFlag: UInt8 = 4
    /// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`: a character that may continue one.
    static let lowerFlag: UInt8 = 8
    /// `\p{M}`: a combining mark (whose major class is `other`).
    static let markFlag: UInt8 = 16

    /// One byte per scalar value U+0000...U+10FFFF (surrogates are `other`), expanded once per
    /// process from the run-length data in `UnicodeClassData.swift` (asking the standard
    /// library for 1.1 million scalars' properties at every start took about 0.1 s).
    static let table: [UInt8] = {
        var table = [UInt8](repeating: UnicodeClass.other, count: 0x110000)
        var bytes: [UInt8] = []
        var quad: UInt32 = 0
        var count = 0
        // Base64 of the runs (generated, so well-formed: padding and line breaks aside).
        for c in Self.runs.utf8 {
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = UInt32(c - 0x41)
            case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case 0x2B: v = 62
            case 0x2F: v = 63
            default: continue
            }
            quad = quad << 6 | v
            count += 1
            if count == 4 {
                bytes += [UInt8(truncatingIfNeeded: quad >> 16), UInt8(truncatingIfNeeded: quad >> 8), UInt8(truncatingIfNeeded: quad)]
                quad = 0
                count = 0
            }
        }
        if count == 3 { bytes += [UInt8(truncatingIfNeeded: quad >> 10), UInt8(truncatingIfNeeded: quad >> 2)] }
        if count == 2 { bytes.append(UInt8(truncatingIfNeeded: quad >> 4)) }
        var position = 0
        var i = 0
        while i < bytes.count {
            let value = bytes[i]
            i += 1
            var length = 0
            var shift = 0
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                length |= Int(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            let end = min(position + length, table.count)
            if value != UnicodeClass.other { for k in position..<end { table[k] = value } }
            position = end
        }
        return table
    }()
}
