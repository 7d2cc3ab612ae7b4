import IngotTestSupport
import IngotTokenizers
import Testing

/// Token offsets: where each token lies in the text, as loss masks need them.
@Suite struct TokenOffsetsTests {
    static let texts = [
        "Hello, world! <|endoftext|> naïve café 日本語 😀👍🏽\n\n\tcode()  end ", "  leading spaces", "<|endoftext|><|endoftext|>x", "", "▁literal marker ▁x",
    ]

    static func check(_ tokenizer: Tokenizer, _ text: String, matching: Bool = true) throws -> [Range<Int>] {
        let ids = tokenizer.encode(text, matchingAddedTokens: matching)
        var bytes = Array(text.utf8)
        let offsets = try #require(bytes.withUnsafeBufferPointer { tokenizer.offsets(of: ids, in: $0) }, "no offsets for \(text)")
        #expect(offsets.count == ids.count)
        // In order, within the text, and covering all of it.
        var end = 0
        for range in offsets {
            #expect(range.lowerBound >= end || range.isEmpty)
            end = max(end, range.upperBound)
        }
        #expect(end == bytes.count)
        bytes.removeAll()
        return offsets
    }

    @Test func byteLevelTokensSpellTheText() throws {
        let gpt2 = try Tokenizer.load(contentsOf: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path)
        for text in Self.texts {
            let offsets = try Self.check(gpt2, text)
            // Byte-level tokens are exactly their bytes of the text.
            let ids = gpt2.encode(text)
            let bytes = Array(text.utf8)
            for (id, range) in zip(ids, offsets) {
                // A token that is a whole character or more reads as its text.
                if let piece = String(validating: bytes[range], as: UTF8.self) { #expect(gpt2.decode([id]) == piece) }
            }
        }
        let ids = gpt2.encode("Hello world")
        #expect(try Self.check(gpt2, "Hello world") == [0..<5, 5..<11])
        #expect(ids.count == 2)
    }

    @Test(.requiresSharedFixtures) func sentencePieceTokensCoverSpacesAndMarkers() throws {
        let mistral = try Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/mistral-7b-v0.1/tokenizer.json").path)
        for text in Self.texts { _ = try Self.check(mistral, text) }
        // "▁Hello" covers "Hello" (its ▁ was put in front), "▁world" covers " world".
        #expect(try Self.check(mistral, "Hello world") == [0..<5, 5..<11])
        let llama2 = try Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/llama2-7b/tokenizer.model").path)
        for text in Self.texts { _ = try Self.check(llama2, text) }
    }

    @Test(.requiresSharedFixtures) func aNormalizerThatRewritesTextHasNoOffsets() throws {
        let bert = try Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/bert-minilm-l6-v2/tokenizer.json").path)
        var bytes = Array("Hello World".utf8)
        let ids = bert.encode("Hello World")
        #expect(bytes.withUnsafeBufferPointer { bert.offsets(of: ids, in: $0) } == nil)
        bytes.removeAll()
    }
}
