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

    /// One byte per scalar value U+0000...U+10FFFF (surrogates are `other`). Built once per
    /// process, on first use.
    static let table: [UInt8] = {
        var table = [UInt8](repeating: UnicodeClass.other, count: 0x110000)
        table.withUnsafeMutableBufferPointer { t in
            for value in 0..<UInt32(0x110000) {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let properties = scalar.properties
                var entry: UInt8
                switch properties.generalCategory {
                case .uppercaseLetter, .titlecaseLetter: entry = letter | upperFlag
                case .lowercaseLetter: entry = letter | lowerFlag
                case .modifierLetter, .otherLetter: entry = letter | upperFlag | lowerFlag
                case .nonspacingMark, .spacingMark, .enclosingMark: entry = other | upperFlag | lowerFlag | markFlag
                case .decimalNumber, .letterNumber, .otherNumber: entry = number
                default: entry = other
                }
                // White_Space is the set Oniguruma and `regex` use for \s with Unicode semantics.
                // (No White_Space character is a letter, number or mark.)
                if properties.isWhitespace { entry = whitespace }
                t[Int(value)] = entry
            }
        }
        return table
    }()
}
