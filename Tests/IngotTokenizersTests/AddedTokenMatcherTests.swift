import IngotTestSupport
import Testing

@testable import IngotTokenizers

/// The matcher skips text 16 bytes at a time when at most four bytes start a token, and byte by
/// byte otherwise: either way it must find exactly the leftmost-longest matches, wherever a
/// token falls against the 16-byte blocks and the text's end.
@Suite struct AddedTokenMatcherTests {
    /// Leftmost-longest matching, one position at a time: the definition the matcher implements
    /// (for tokens without stripping or word boundaries).
    static func referenceSplit(_ text: [UInt8], _ tokens: [AddedToken]) -> [String] {
        var parts: [String] = []
        var runStart = 0
        var i = 0
        while i < text.count {
            let match = tokens.filter { text[i...].starts(with: $0.content.utf8) }.max { $0.content.utf8.count < $1.content.utf8.count }
            guard let token = match else {
                i += 1
                continue
            }
            if i > runStart { parts.append("text \(runStart)..<\(i)") }
            parts.append("token \(token.id)")
            i += token.content.utf8.count
            runStart = i
        }
        if runStart < text.count { parts.append("text \(runStart)..<\(text.count)") }
        return parts
    }

    static func split(_ text: [UInt8], _ matcher: AddedTokenMatcher) -> [String] {
        var parts: [String] = []
        text.withUnsafeBufferPointer { buffer in
            matcher.split(
                buffer, skippingSpecial: false,
                plain: { parts.append("text \($0.lowerBound)..<\($0.upperBound)") },
                token: { parts.append("token \($0)") })
        }
        return parts
    }

    /// Token sets starting with one byte (`<`, as GPT-2's and Llama 3's), two (Tekken's `<` and
    /// `[`), four (the most the block scan takes) and five (byte by byte).
    static let tokenSets: [[String]] = [
        ["<|endoftext|>", "<|end|>", "<"],
        ["<s>", "</s>", "[INST]", "[/INST]"],
        ["<s>", "[CLS]", "{x}", "é!"],
        ["<s>", "[CLS]", "{x}", "é!", "~~"],
    ]

    @Test(arguments: tokenSets.indices)
    func tokensAreFoundAtEveryOffsetOfABlock(set: Int) {
        let tokens = Self.tokenSets[set].enumerated().map { AddedToken(id: UInt32(1000 + $0.offset), content: $0.element, isSpecial: true) }
        let matcher = AddedTokenMatcher(tokens)
        // Filler that holds no start byte, and pieces that do: whole tokens, their prefixes, lone
        // start bytes.
        let pieces = tokens.map(\.content) + tokens.map { String($0.content.prefix(2)) } + ["<", "[", "{", "\u{E9}", "~"]
        var random = SplitMix64(seed: UInt64(set))
        for length in 0..<70 {
            for _ in 0..<20 {
                var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                for _ in 0..<Int(random.next() % 3) where !text.isEmpty {
                    let piece = Array(pieces[Int(random.next() % UInt64(pieces.count))].utf8)
                    let at = Int(random.next() % UInt64(text.count))
                    text.replaceSubrange(at..<min(text.count, at + piece.count), with: piece)
                }
                #expect(Self.split(text, matcher) == Self.referenceSplit(text, tokens), "\(String(decoding: text, as: UTF8.self))")
            }
        }
        // A token as the last bytes of the text, after a whole block and after a partial one.
        for filler in [15, 16, 17, 31, 32, 33] {
            let text = [UInt8](repeating: UInt8(ascii: "a"), count: filler) + Array(tokens[0].content.utf8)
            #expect(Self.split(text, matcher) == ["text 0..<\(filler)", "token 1000"])
        }
    }
}
