import Dispatch
import IngotTestSupport
import Synchronization
import Testing

@testable import IngotTokenizers

/// A tokenizer's encoders share one piece cache, filled by whichever encoder meets a piece
/// first: warm or cold, on one thread or several, an encoder must give exactly a cold one's ids.
@Suite struct EncoderCacheTests {
    static func load() throws -> Tokenizer {
        try Tokenizer.load(contentsOf: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path)
    }

    static func encode(_ text: String, with encoder: inout Tokenizer.Encoder) -> [UInt32] {
        var ids: [UInt32] = []
        Array(text.utf8).withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
        return ids
    }

    /// Cold: every text with an empty cache of its own.
    static func coldIDs(_ texts: [String], _ tokenizer: Tokenizer) -> [[UInt32]] {
        texts.map { text in
            var encoder = tokenizer.withEmptyPieceCache().makeEncoder()
            return Self.encode(text, with: &encoder)
        }
    }

    @Test func warmEncodersGiveTheColdIDs() throws {
        let texts = try Fixtures.sampleTexts()
        let tokenizer = try Self.load()
        let expected = Self.coldIDs(texts, tokenizer)
        var first = tokenizer.makeEncoder()
        for i in texts.indices { #expect(Self.encode(texts[i], with: &first) == expected[i], "text \(i)") }
        // A new encoder, and a copy of the tokenizer, start with what the first one cached.
        var second = tokenizer.makeEncoder()
        for i in texts.indices.reversed() { #expect(Self.encode(texts[i], with: &second) == expected[i], "text \(i)") }
        let copy = tokenizer
        var third = copy.makeEncoder()
        for i in texts.indices { #expect(Self.encode(texts[i], with: &third) == expected[i], "text \(i)") }
    }

    /// Pieces of up to 255 bytes are cached too (runs of spaces, rules of `=` and `-`): the cache
    /// holds them after one encoding, not longer ones, and found again they give the ids they
    /// gave when merged, in the piece's place in the text.
    @Test func longPiecesAreCachedAndGiveTheColdIDs() throws {
        let tokenizer = try Self.load()
        let lengths = [65, 78, 128, 200, 254, 255, 256, 300]
        var texts: [String] = []
        for length in lengths {
            let spaces = String(repeating: " ", count: length)
            let rule = String(repeating: "-", count: length)
            let pairs = String(repeating: "+-", count: length / 2)
            texts += ["a" + spaces + "b", String(repeating: "=", count: length), "rule " + rule + "\n" + pairs]
        }
        let expected = Self.coldIDs(texts, tokenizer)
        let shared = tokenizer.withEmptyPieceCache()
        var encoder = shared.makeEncoder()
        for round in 0..<2 {
            for i in texts.indices { #expect(Self.encode(texts[i], with: &encoder) == expected[i], "round \(round), text \(i)") }
        }
        // A rule of `=` is one piece (GPT-2's ` ?[^\s\p{L}\p{N}]+`).
        for length in lengths {
            let rule = [UInt8](repeating: UInt8(ascii: "="), count: length)
            let cached = rule.withUnsafeBufferPointer { shared.pieceCache.find($0, shortKey: 0) } != nil
            #expect(cached == (length <= PieceCache.maximumPieceLength), "a rule of \(length) bytes")
        }
    }

    /// Four threads encode the texts in different orders with one tokenizer, its cache starting
    /// empty, so that they fill it, grow it and read each other's entries at once.
    @Test func encodersOnSeveralThreadsGiveTheColdIDs() throws {
        let texts = try Fixtures.sampleTexts()
        let tokenizer = try Self.load()
        let expected = Self.coldIDs(texts, tokenizer)
        let shared = tokenizer.withEmptyPieceCache()
        let mismatches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var encoder = shared.makeEncoder()
            for n in texts.indices {
                let i = thread % 2 == 0 ? (n * 7 + thread) % texts.count : texts.count - 1 - n
                if Self.encode(texts[i], with: &encoder) != expected[i] { mismatches.add(1, ordering: .relaxed) }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }
}
