import IngotTestSupport
import IngotTokenizers
import Testing

/// An encoder's piece caches (the piece table, its ids, the short-piece table) go to the next
/// encoder on `recycle()`: a warm encoder must give exactly a cold one's ids.
@Suite struct EncoderCacheTests {
    static func load() throws -> Tokenizer {
        try Tokenizer.load(contentsOf: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path)
    }

    static func encode(_ text: String, with encoder: inout Tokenizer.Encoder) -> [UInt32] {
        var ids: [UInt32] = []
        Array(text.utf8).withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
        return ids
    }

    @Test func recycledCachesGiveTheColdIDs() throws {
        let texts = try Fixtures.sampleTexts()
        // Cold: another tokenizer (its own cache stock), a fresh encoder per text, never recycled.
        let cold = try Self.load()
        let expected = texts.map { text in
            var encoder = cold.makeEncoder()
            return Self.encode(text, with: &encoder)
        }
        let warm = try Self.load()
        var first = warm.makeEncoder()
        let half = texts.count / 2
        for i in 0..<half { #expect(Self.encode(texts[i], with: &first) == expected[i]) }
        first.recycle()
        // The next encoder starts with the first one's caches; the first goes on, cold.
        var second = warm.makeEncoder()
        for i in texts.indices { #expect(Self.encode(texts[i], with: &second) == expected[i], "text \(i)") }
        for i in half..<texts.count { #expect(Self.encode(texts[i], with: &first) == expected[i], "text \(i)") }
        second.recycle()
        var third = warm.makeEncoder()
        for i in texts.indices.reversed() { #expect(Self.encode(texts[i], with: &third) == expected[i], "text \(i)") }
    }
}
