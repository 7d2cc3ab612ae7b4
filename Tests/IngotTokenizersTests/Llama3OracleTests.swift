import Foundation
import IngotTestSupport
import IngotTokenizers
import Testing

@Suite struct Llama3OracleTests {
    static let tokenizer: Tokenizer = {
        try! Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/llama3-8b/tokenizer.json").path)
    }()

    @Test(arguments: [("oracle.jsonl", true), ("oracle_split_special.jsonl", false)])
    func matchesEveryReferenceCase(_ file: String, _ matchingAddedTokens: Bool) throws {
        let cases = try JSONLFixtures.oracleCases(tokenizer: "llama3-8b", file: file)
        #expect(cases.count > 250)
        var mismatches: [String] = []
        for c in cases {
            let ids = Self.tokenizer.encode(c.text, matchingAddedTokens: matchingAddedTokens)
            if ids != c.ids { mismatches.append("\(c.id): got \(ids.prefix(16)) expected \(c.ids.prefix(16))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(8).joined(separator: "\n"))")
    }

    @Test func specialTokensAndVocabulary() {
        #expect(Self.tokenizer.vocabularySize == 128_256)
        #expect(Self.tokenizer.eosTokenID == 128_001)
        #expect(Self.tokenizer.bosTokenID == 128_000)
        #expect(Self.tokenizer.encode("<|begin_of_text|>") == [128_000])
    }
}
