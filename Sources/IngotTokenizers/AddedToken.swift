/// A token matched verbatim in the text before the model runs (`<|endoftext|>`, `</s>`, ...).
public struct AddedToken: Sendable, Hashable {
    public let id: UInt32
    public let content: String
    /// Special tokens are control tokens (BOS, EOS, PAD); others are ordinary vocabulary.
    public let isSpecial: Bool
    /// Also takes the whitespace before it (`lstrip`) or after it (`rstrip`).
    public var stripsLeft = false
    public var stripsRight = false
    /// Matches only as a whole word (no word character touching either side).
    public var isSingleWord = false
    /// Matched in the normalized text rather than the raw text.
    public var matchesNormalizedText = false

    public init(id: UInt32, content: String, isSpecial: Bool) {
        self.id = id
        self.content = content
        self.isSpecial = isSpecial
    }
}

/// Finds added tokens in text exactly as HuggingFace's `AddedVocabulary` does: leftmost-longest
/// matches; a single-word token that touches a word is not a match, and neither is a special
/// token while special tokens are being split (in both cases the scan resumes after it);
/// `lstrip`/`rstrip` widen a match over neighbouring whitespace.
struct AddedTokenMatcher: Sendable {
    /// The tokens' bytes, each leading to its index in `entries`: the longest token at a
    /// position is found in one walk, however many tokens share a prefix (Llama 3's 256 all
    /// begin with `<|`).
    private let trie: PrefixTrie
    private let entries: [Entry]
    /// Whether any token starts with each byte: the scan skips other bytes without a trie probe
    /// (most text has no added token at all).
    private let startsAToken: [Bool]
    /// When at most four bytes start a token (`<` alone for GPT-2, Llama 3 and tiktoken's files,
    /// `<` and `[` for Tekken), each of them in every lane, so that 16 bytes are skipped at a
    /// time: the byte-by-byte skip was 3.7% of a one-core GPT-2 run.
    private let startProbes: (SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>)?
    let isEmpty: Bool

    private struct Entry: Sendable {
        let bytes: [UInt8]
        let token: AddedToken
    }

    init(_ tokens: [AddedToken]) {
        var trie = PrefixTrie(minimumCapacity: max(16, tokens.reduce(0) { $0 + $1.content.utf8.count }))
        var entries: [Entry] = []
        var starts = [Bool](repeating: false, count: 256)
        for token in tokens where !token.content.isEmpty {
            let bytes = Array(token.content.utf8)
            // The same content twice: the first token keeps it.
            trie.insert(bytes, value: Int32(entries.count))
            entries.append(Entry(bytes: bytes, token: token))
            starts[Int(bytes[0])] = true
        }
        self.trie = trie
        self.entries = entries
        self.startsAToken = starts
        self.isEmpty = entries.isEmpty
        let startBytes = (0..<256).filter { starts[$0] }.map { UInt8($0) }
        if let first = startBytes.first, startBytes.count <= 4 {
            // Fewer than four bytes: the first fills the spare probes.
            let probe = { (k: Int) in SIMD16<UInt8>(repeating: k < startBytes.count ? startBytes[k] : first) }
            self.startProbes = (probe(0), probe(1), probe(2), probe(3))
        } else {
            self.startProbes = nil
        }
    }

    /// The first position from `i` on whose byte starts some token, or `text.count`.
    @inline(__always)
    private func nextStart(in text: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        if let probes = self.startProbes, let base = text.baseAddress {
            while j + 16 <= text.count {
                let block = UnsafeRawPointer(base + j).loadUnaligned(as: SIMD16<UInt8>.self)
                let found = (block .== probes.0) .| (block .== probes.1) .| (block .== probes.2) .| (block .== probes.3)
                if any(found) { break }
                j += 16
            }
        }
        return self.startsAToken.withUnsafeBufferPointer { starts in
            while j < text.count && !starts[Int(text[j])] { j += 1 }
            return j
        }
    }

    /// The longest token starting at `i`, if any.
    @inline(__always)
    private func longest(at i: Int, in text: UnsafeBufferPointer<UInt8>) -> Entry? {
        var node: UInt32 = 0
        var found: Int32 = -1
        var j = i
        while j < text.count, let next = self.trie.child(of: node, text[j]) {
            node = next
            j += 1
            let value = self.trie.values[Int(node)]
            if value >= 0 { found = value }
        }
        return found >= 0 ? self.entries[Int(found)] : nil
    }

    /// Splits `text` into runs of plain text (byte ranges) and added tokens, in order.
    @inline(__always)
    func split(
        _ text: UnsafeBufferPointer<UInt8>,
        skippingSpecial: Bool,
        plain: (Range<Int>) -> Void,
        token: (UInt32) -> Void
    ) {
        var runStart = 0
        var i = 0
        while i < text.count {
            i = self.nextStart(in: text, from: i)
            guard i < text.count else { break }
            guard let entry = self.longest(at: i, in: text) else {
                i += 1
                continue
            }
            var start = i
            var stop = i + entry.bytes.count
            i = stop
            let t = entry.token
            if skippingSpecial && t.isSpecial { continue }
            if t.isSingleWord && (UTF8Scan.endsWithWordCharacter(text, before: start) || UTF8Scan.startsWithWordCharacter(text, at: stop)) {
                continue
            }
            if t.stripsLeft { start = max(UTF8Scan.whitespaceRunStart(text, before: start), runStart) }
            if t.stripsRight { stop = UTF8Scan.whitespaceRunEnd(text, from: stop) }
            if start > runStart { plain(runStart..<start) }
            token(t.id)
            runStart = stop
            i = stop
        }
        if runStart < text.count { plain(runStart..<text.count) }
    }
}

/// Character tests near a position in UTF-8 text (valid UTF-8 assumed).
enum UTF8Scan {
    /// The scalar ending just before `end`, and where it starts.
    static func scalar(before end: Int, in text: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        guard end > 0 else { return nil }
        var start = end - 1
        while start > 0 && text[start] & 0xC0 == 0x80 { start -= 1 }
        let (value, _) = UTF8Scalars.decode(text, start)
        return Unicode.Scalar(value).map { ($0, start) }
    }

    static func scalar(at i: Int, in text: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        guard i < text.count else { return nil }
        let (value, length) = UTF8Scalars.decode(text, i)
        return Unicode.Scalar(value).map { ($0, length) }
    }

    /// Rust's `char::is_alphanumeric() || c == '_'`.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        s == "_" || s.properties.isAlphabetic || PreTokenizerStep.isNumeric(s)
    }

    static func endsWithWordCharacter(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        scalar(before: end, in: text).map { isWordCharacter($0.0) } ?? false
    }

    static func startsWithWordCharacter(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        scalar(at: i, in: text).map { isWordCharacter($0.0) } ?? false
    }

    /// Start of the whitespace run that ends at `end`.
    static func whitespaceRunStart(_ text: UnsafeBufferPointer<UInt8>, before end: Int) -> Int {
        var position = end
        while let (s, start) = scalar(before: position, in: text), s.properties.isWhitespace { position = start }
        return position
    }

    /// End of the whitespace run that starts at `i`.
    static func whitespaceRunEnd(_ text: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var position = i
        while let (s, length) = scalar(at: position, in: text), s.properties.isWhitespace { position += length }
        return position
    }
}
