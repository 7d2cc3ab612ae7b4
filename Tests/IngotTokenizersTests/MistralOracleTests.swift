import Foundation
import IngotTestSupport
import IngotTokenizers
import Testing

/// SentencePiece-style BPE from tokenizer.json: Metaspace (prepend_scheme "first"), byte
/// fallback, unknown-token fusing.
@Suite struct MistralOracleTests {
    static let tokenizer: Tokenizer = {
        try! Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/mistral-7b-v0.1/tokenizer.json").path)
    }()

    @Test(arguments: [("oracle.jsonl", true), ("oracle_split_special.jsonl", false)])
    func matchesEveryReferenceCase(_ file: String, _ matchingAddedTokens: Bool) throws {
        let cases = try JSONLFixtures.oracleCases(tokenizer: "mistral-7b-v0.1", file: file)
        #expect(cases.count > 250)
        var mismatches: [String] = []
        for c in cases {
            let ids = Self.tokenizer.encode(c.text, matchingAddedTokens: matchingAddedTokens)
            if ids != c.ids { mismatches.append("\(c.id): got \(ids.prefix(16)) expected \(c.ids.prefix(16))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(8).joined(separator: "\n"))")
    }

    @Test func specialTokensAndDecoding() {
        #expect(Self.tokenizer.vocabularySize == 32_000)
        #expect(Self.tokenizer.eosTokenID == 2)
        #expect(Self.tokenizer.bosTokenID == 1)
        let text = "Hello world, 数字 and emoji 👍🏽 with byte fallback"
        #expect(Self.tokenizer.decode(Self.tokenizer.encode(text)) == text)
    }
}
