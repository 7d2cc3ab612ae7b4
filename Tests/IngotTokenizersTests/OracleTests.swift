import Foundation
import IngotTestSupport
import IngotTokenizers
import Testing

/// Every case of `../shared/tokenizers/cases.jsonl` against the reference library's ids, for every
/// tokenizer Ingot supports there; with special-token strings matched (HuggingFace's default) and
/// split (tokenized as text), where the reference recorded both.
@Suite(.requiresSharedFixtures) struct OracleTests {
    struct Reference: Sendable, CustomTestStringConvertible {
        let folder: String
        let file: String
        let oracle: String
        let matchingAddedTokens: Bool
        var testDescription: String { "\(self.folder)/\(self.oracle)" }
    }

    static let references: [Reference] = [
        .init(folder: "gpt2", file: "tokenizer.json", oracle: "oracle.jsonl", matchingAddedTokens: true),
        .init(folder: "gpt2", file: "tokenizer.json", oracle: "oracle_split_special.jsonl", matchingAddedTokens: false),
        .init(folder: "llama3-8b", file: "tokenizer.json", oracle: "oracle.jsonl", matchingAddedTokens: true),
        .init(folder: "llama3-8b", file: "tokenizer.json", oracle: "oracle_split_special.jsonl", matchingAddedTokens: false),
        .init(folder: "mistral-7b-v0.1", file: "tokenizer.json", oracle: "oracle.jsonl", matchingAddedTokens: true),
        .init(folder: "mistral-7b-v0.1", file: "tokenizer.json", oracle: "oracle_split_special.jsonl", matchingAddedTokens: false),
        .init(folder: "bert-minilm-l6-v2", file: "tokenizer.json", oracle: "oracle.jsonl", matchingAddedTokens: true),
        .init(folder: "bert-minilm-l6-v2", file: "tokenizer.json", oracle: "oracle_split_special.jsonl", matchingAddedTokens: false),
        // tiktoken's encode_ordinary treats special-token strings as text.
        .init(folder: "cl100k_base", file: "cl100k_base.tiktoken", oracle: "oracle.jsonl", matchingAddedTokens: false),
        .init(folder: "t5-small", file: "tokenizer.json", oracle: "oracle.jsonl", matchingAddedTokens: true),
        .init(folder: "t5-small", file: "tokenizer.json", oracle: "oracle_split_special.jsonl", matchingAddedTokens: false),
        // sentencepiece never matches control pieces in text.
        .init(folder: "llama2-7b", file: "tokenizer.model", oracle: "oracle.jsonl", matchingAddedTokens: true),
        // mistral-common never matches control tokens in text.
        .init(folder: "mistral-nemo-tekken", file: "tekken_240718.json", oracle: "oracle.jsonl", matchingAddedTokens: true),
    ]

    static func load(_ folder: String, _ file: String) throws -> Tokenizer {
        try Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/\(folder)/\(file)").path)
    }

    @Test(arguments: references)
    func matchesEveryReferenceCase(_ reference: Reference) throws {
        let tokenizer = try Self.load(reference.folder, reference.file)
        let cases = try JSONLFixtures.oracleCases(tokenizer: reference.folder, file: reference.oracle)
        #expect(cases.count > 250)
        var mismatches: [String] = []
        for c in cases {
            let ids = tokenizer.encode(c.text, matchingAddedTokens: reference.matchingAddedTokens)
            if ids != c.ids { mismatches.append("\(c.id): got \(ids.prefix(16)) expected \(c.ids.prefix(16))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(8).joined(separator: "\n"))")
    }

    @Test(arguments: [
        ("gpt2", "tokenizer.json", 50_257, UInt32?.none, UInt32(50_256)),
        ("llama3-8b", "tokenizer.json", 128_256, UInt32?(128_000), UInt32(128_001)),
        ("mistral-7b-v0.1", "tokenizer.json", 32_000, UInt32?(1), UInt32(2)),
        ("cl100k_base", "cl100k_base.tiktoken", 100_277, UInt32?.none, UInt32(100_257)),
    ])
    func vocabularyAndSpecialTokens(_ folder: String, _ file: String, _ size: Int, _ bos: UInt32?, _ eos: UInt32) throws {
        let tokenizer = try Self.load(folder, file)
        #expect(tokenizer.vocabularySize == size)
        #expect(tokenizer.bosTokenID == bos)
        #expect(tokenizer.eosTokenID == eos)
        #expect(tokenizer.encode(tokenizer.decode([eos])) == [eos])
    }

    @Test func tekkenControlTokens() throws {
        let tokenizer = try Self.load("mistral-nemo-tekken", "tekken_240718.json")
        #expect(tokenizer.vocabularySize == 131_072)
        #expect(tokenizer.bosTokenID == 1)
        #expect(tokenizer.eosTokenID == 2)
        #expect(tokenizer.padTokenID == 11)
        #expect(tokenizer.decode([1, 3]) == "<s>[INST]")
        #expect(tokenizer.encode("[INST]") != [3], "control tokens are plain text to mistral-common")
    }

    @Test(arguments: [
        ("gpt2", "tokenizer.json"), ("llama3-8b", "tokenizer.json"), ("mistral-7b-v0.1", "tokenizer.json"),
        ("cl100k_base", "cl100k_base.tiktoken"), ("mistral-nemo-tekken", "tekken_240718.json"),
    ])
    func decodeRoundTrips(_ folder: String, _ file: String) throws {
        let tokenizer = try Self.load(folder, file)
        // Mistral's decoder, like HuggingFace's, turns U+2581 into a space and strips the one
        // leading space its Metaspace prefix stands for: texts with either do not round-trip.
        for c in try JSONLFixtures.oracleCases(tokenizer: folder)
        where folder != "mistral-7b-v0.1" || !(c.text.hasPrefix(" ") || c.text.contains("\u{2581}")) {
            #expect(tokenizer.decode(c.ids) == c.text, "\(c.id)")
        }
    }

    /// A single huge piece goes through the O(n log n) merge paths (byte-level BPE, SentencePiece
    /// BPE) or linear Viterbi (Unigram) and round-trips.
    @Test(arguments: [
        ("gpt2", "tokenizer.json"), ("llama2-7b", "tokenizer.model"), ("t5-small", "tokenizer.json"),
        ("mistral-nemo-tekken", "tekken_240718.json"),
    ])
    func longPiecesAreNotQuadratic(_ folder: String, _ file: String) throws {
        let tokenizer = try Self.load(folder, file)
        let text = String(repeating: "abcdefghij", count: 50_000)  // one 500 KB letter run
        var ids: [UInt32] = []
        let elapsed = ContinuousClock().measure { ids = tokenizer.encode(text) }
        #expect(elapsed < .seconds(30))
        #expect(tokenizer.decode(ids).trimmingCharacters(in: .whitespaces) == text)
    }
}
