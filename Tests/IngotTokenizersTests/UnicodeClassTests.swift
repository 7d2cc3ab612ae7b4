@testable import IngotTokenizers
import Testing

@Suite struct UnicodeClassTests {
    /// The generated run-length data agrees with this toolchain's Unicode properties for every
    /// scalar value. A failure after a toolchain update means new Unicode data: regenerate with
    /// `swift scripts/generate-unicode-classes.swift > Sources/IngotTokenizers/UnicodeClassData.swift`.
    @Test func generatedDataMatchesTheStandardLibrary() {
        let table = UnicodeClass.table
        #expect(table.count == 0x110000)
        var differing: [String] = []
        for value in UInt32(0)..<0x110000 where table[Int(value)] != Self.entry(value) {
            differing.append("U+" + String(value, radix: 16, uppercase: true))
        }
        #expect(differing.isEmpty, "\(differing.count) scalars differ, first \(differing.prefix(8))")
    }

    /// The entry for a scalar from the standard library's Unicode properties (as the generator
    /// computes it).
    static func entry(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return UnicodeClass.other }
        let properties = scalar.properties
        if properties.isWhitespace { return UnicodeClass.whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: return UnicodeClass.letter | UnicodeClass.upperFlag
        case .lowercaseLetter: return UnicodeClass.letter | UnicodeClass.lowerFlag
        case .modifierLetter, .otherLetter: return UnicodeClass.letter | UnicodeClass.upperFlag | UnicodeClass.lowerFlag
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return UnicodeClass.other | UnicodeClass.upperFlag | UnicodeClass.lowerFlag | UnicodeClass.markFlag
        case .decimalNumber, .letterNumber, .otherNumber: return UnicodeClass.number
        default: return UnicodeClass.other
        }
    }
}
