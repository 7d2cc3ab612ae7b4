import Foundation
import IngotTestSupport
import IngotTokenizers
import Testing

@Suite struct TiktokenOracleTests {
    static let tokenizer: Tokenizer = {
        try! Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/cl100k_base/cl100k_base.tiktoken").path)
    }()

    /// The oracle is tiktoken's `encode_ordinary`: special-token strings are plain text.
    @Test func matchesEveryReferenceCase() throws {
        let cases = try JSONLFixtures.oracleCases(tokenizer: "cl100k_base")
        #expect(cases.count > 250)
        var mismatches: [String] = []
        for c in cases {
            let ids = Self.tokenizer.encode(c.text, matchingAddedTokens: false)
            if ids != c.ids { mismatches.append("\(c.id): got \(ids.prefix(16)) expected \(c.ids.prefix(16))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(8).joined(separator: "\n"))")
    }

    @Test func specialTokensAndDecoding() {
        #expect(Self.tokenizer.vocabularySize == 100_277)
        #expect(Self.tokenizer.eosTokenID == 100_257)
        #expect(Self.tokenizer.encode("<|endoftext|>") == [100_257])
        let text = "tiktoken round trip: ünïcödé, 数字 12345, emoji 👍🏽"
        #expect(Self.tokenizer.decode(Self.tokenizer.encode(text)) == text)
    }

    @Test func unknownEncodingIsRefusedByName() throws {
        let dir = try TestPaths.makeTemporaryDirectory("tiktoken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mystery.tiktoken")
        try Data("IQ== 0\n".utf8).write(to: file)
        #expect(throws: TokenizerError.self) { try Tokenizer.load(contentsOf: file.path) }
    }
}
