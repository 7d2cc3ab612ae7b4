/// The character classes the common split patterns use (`\p{L}`, `\p{N}`, `\s`), looked up in
/// one table indexed by scalar value: the pre-tokenizer's hot loop must not call into Unicode
/// property APIs per character.
enum UnicodeClass {
    static let other: UInt8 = 0
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 3

    /// One byte per scalar value U+0000...U+10FFFF (surrogates are `other`). Built once per
    /// process, on first use.
    static let table: [UInt8] = {
        var table = [UInt8](repeating: UnicodeClass.other, count: 0x110000)
        table.withUnsafeMutableBufferPointer { t in
            for value in 0..<UInt32(0x110000) {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let properties = scalar.properties
                // White_Space is the set Oniguruma and `regex` use for \s with Unicode semantics.
                if properties.isWhitespace {
                    t[Int(value)] = UnicodeClass.whitespace
                    continue
                }
                switch properties.generalCategory {
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
                    t[Int(value)] = UnicodeClass.letter
                case .decimalNumber, .letterNumber, .otherNumber:
                    t[Int(value)] = UnicodeClass.number
                default:
                    break
                }
            }
        }
        return table
    }()
}
