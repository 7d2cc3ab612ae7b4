import Foundation
@testable import IngotTokenizers
import Testing

@Suite struct Base64Tests {
    @Test func decodesLikeFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Data(bytes).base64EncodedString()
            #expect(Base64.decode(encoded.utf8) == bytes, "\(encoded)")
        }
    }

    /// Stricter than Foundation, which accepts some of these: a rank file with any of them is
    /// corrupt, and loading it must fail rather than guess.
    @Test(arguments: ["A", "AB=C", "A===", "AAAA====", "AA!A", "AA=A"])
    func rejectsMalformedText(_ text: String) {
        #expect(Base64.decode(text.utf8) == nil)
    }

    /// Text wrapped in lines (the generated Unicode table) reads the same with whitespace skipped,
    /// and is refused without that option.
    @Test func wrappedTextWithWhitespaceSkipped() {
        #expect(Base64.decode("QUJD\n  REVG\nR0g=".utf8, ignoringWhitespace: true) == Array("ABCDEFGH".utf8))
        #expect(Base64.decode("QUJD\nREVG".utf8) == nil)
        #expect(Base64.decode("QUJDR".utf8, ignoringWhitespace: true) == nil, "an incomplete last group")
    }
}
