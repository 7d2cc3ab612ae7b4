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
        // Generated, so well-formed: a failure here is a broken build, not bad input.
        guard let bytes = Base64.decode(Self.runs.utf8, ignoringWhitespace: true) else {
            fatalError("UnicodeClassData.swift is not valid base64: regenerate it")
        }
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
