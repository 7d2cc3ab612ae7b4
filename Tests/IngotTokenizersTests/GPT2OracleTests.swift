import Foundation
import IngotTestSupport
import IngotTokenizers
import Testing

@Suite struct GPT2OracleTests {
    static let tokenizer: Tokenizer = {
        try! Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/gpt2/tokenizer.json").path)
    }()

    @Test func matchesEveryReferenceCase() throws {
        let cases = try JSONLFixtures.oracleCases(tokenizer: "gpt2")
        #expect(cases.count > 250)
        var mismatches: [String] = []
        for c in cases {
            let ids = Self.tokenizer.encode(c.text)
            if ids != c.ids { mismatches.append("\(c.id): got \(ids.prefix(12)) expected \(c.ids.prefix(12))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) cases differ:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    }

    @Test func matchesReferenceWhenSpecialTokensAreSplit() throws {
        let cases = try JSONLFixtures.oracleCases(tokenizer: "gpt2", file: "oracle_split_special.jsonl")
        var mismatches: [String] = []
        for c in cases where Self.tokenizer.encode(c.text, matchingAddedTokens: false) != c.ids {
            mismatches.append(c.id)
        }
        #expect(mismatches.isEmpty, "cases differ: \(mismatches.prefix(10))")
    }

    @Test func decodeRoundTripsEveryCase() throws {
        for c in try JSONLFixtures.oracleCases(tokenizer: "gpt2") {
            #expect(Self.tokenizer.decode(c.ids) == c.text, "\(c.id)")
        }
    }

    @Test func specialTokens() {
        #expect(Self.tokenizer.vocabularySize == 50257)
        #expect(Self.tokenizer.eosTokenID == 50256)
        #expect(Self.tokenizer.encode("<|endoftext|>") == [50256])
    }

    /// A single huge piece must go through the O(n log n) merge path and agree with the
    /// cached/scanning path on its prefix structure.
    @Test func longPiecesAreNotQuadratic() {
        let text = String(repeating: "abcdefghij", count: 50_000)  // one 500 KB letter run
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = Self.tokenizer.encode(text) }
        #expect(elapsed < .seconds(20))
        let ids = Self.tokenizer.encode(text)
        #expect(Self.tokenizer.decode(ids) == text)
    }
}
