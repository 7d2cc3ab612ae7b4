/// SentencePiece's compiled normalization rules (`precompiled_charsmap`, e.g. nmt_nfkc): a
/// darts-clone double-array trie from UTF-8 sequences to offsets of NUL-terminated replacements.
///
/// Two readers use it differently, and each is matched exactly: SentencePiece replaces the
/// longest rule matching at each position (``longestMatch(_:from:)``); HuggingFace's
/// `Precompiled` normalizer walks grapheme clusters and replaces a whole cluster (under 6 bytes)
/// by the rule of its *shortest* matching prefix, else each character by its own
/// (``normalizeLikeHuggingFace(_:)``).
struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]
    /// Replacement per ASCII byte, precomputed for the fast path (nil: unchanged).
    private let ascii: [[UInt8]?]

    enum Failure: Error { case truncated }

    /// Parses `[u32 trie byte size (LE)][trie units (LE u32)][replacement strings]`.
    init(_ blob: [UInt8]) throws(Failure) {
        guard blob.count >= 4 else { throw .truncated }
        let trieBytes = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        guard trieBytes % 4 == 0, trieBytes >= 4, 4 + trieBytes <= blob.count else { throw .truncated }
        var units = [UInt32](repeating: 0, count: trieBytes / 4)
        for i in units.indices {
            let o = 4 + 4 * i
            units[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        let replacements = Array(blob[(4 + trieBytes)...])
        var ascii = [[UInt8]?](repeating: nil, count: 128)
        for b in 0..<128 {
            ascii[b] = [UInt8(b)].withUnsafeBufferPointer { Self.firstMatch(units, replacements, $0) }
        }
        self.units = units
        self.replacements = replacements
        self.ascii = ascii
    }

    // darts-clone unit layout.
    @inline(__always) private static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// Visits (length, replacement offset) for each rule that is a prefix of `key`, shortest first;
    /// stops when `body` returns false. A NUL byte ends the key, as in darts-clone.
    @inline(__always)
    private static func prefixes(
        _ units: [UInt32], _ key: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int, Int) -> Bool
    ) {
        var position = offset(units[0])
        var i = start
        while i < key.count {
            let c = key[i]
            if c == 0 { return }
            position ^= Int(c)
            guard position < units.count else { return }
            let unit = units[position]
            if label(unit) != UInt32(c) { return }
            position ^= offset(unit)
            i += 1
            if hasLeaf(unit) {
                guard position < units.count else { return }
                if !body(i - start, value(units[position])) { return }
            }
        }
    }

    private static func replacement(_ replacements: [UInt8], at offset: Int) -> [UInt8] {
        guard offset < replacements.count else { return [] }
        var end = offset
        while end < replacements.count && replacements[end] != 0 { end += 1 }
        return Array(replacements[offset..<end])
    }

    private static func firstMatch(_ units: [UInt32], _ replacements: [UInt8], _ key: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var found: [UInt8]?
        prefixes(units, key, from: 0) { _, offset in
            found = replacement(replacements, at: offset)
            return false
        }
        return found
    }

    /// The longest rule at `start`: (bytes consumed, replacement), as SentencePiece applies them.
    func longestMatch(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, [UInt8])? {
        var best: (Int, Int)?
        Self.prefixes(self.units, text, from: start) { length, offset in
            best = (length, offset)
            return true
        }
        guard let best else { return nil }
        return (best.0, Self.replacement(self.replacements, at: best.1))
    }

    /// HuggingFace `tokenizers`' `Precompiled` normalizer.
    func normalizeLikeHuggingFace(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // An ASCII character followed by another ASCII character is a cluster of its own unless
        // it is the CR of CR LF, so the per-byte table is exact there; the rest goes cluster by
        // cluster, in regions that start and end at such boundaries.
        let n = text.count
        var i = 0
        while i < n {
            let b = text[i]
            if b < 0x80 && b != 0x0D && (i + 1 == n || text[i + 1] < 0x80) {
                if let r = self.ascii[Int(b)] { out += r } else { out.append(b) }
                i += 1
                continue
            }
            var j = i + 1
            while j < n && !(text[j] < 0x80 && text[j - 1] < 0x80 && text[j - 1] != 0x0D && text[j] != 0x0D && (j + 1 == n || text[j + 1] < 0x80)) {
                j += 1
            }
            self.normalizeClusters(UnsafeBufferPointer(rebasing: text[i..<j]), into: &out)
            i = j
        }
    }

    private func normalizeClusters(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Swift's Character is an extended grapheme cluster, as unicode-segmentation's are.
        for character in String(decoding: text, as: UTF8.self) {
            let bytes = Array(character.utf8)
            if bytes.count < 6,
                let r = bytes.withUnsafeBufferPointer({ Self.firstMatch(self.units, self.replacements, $0) })
            {
                out += r
                continue
            }
            var k = 0
            while k < bytes.count {
                let lead = bytes[k]
                let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                let end = min(bytes.count, k + length)
                let r = bytes.withUnsafeBufferPointer {
                    Self.firstMatch(self.units, self.replacements, UnsafeBufferPointer(rebasing: $0[k..<end]))
                }
                out += r ?? Array(bytes[k..<end])
                k = end
            }
        }
    }
}
