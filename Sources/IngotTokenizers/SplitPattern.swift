/// Hand-written scanners for the split patterns tokenizers use, over UTF-8 bytes.
///
/// Each scanner returns the end of the piece that starts at `start`, exactly as the leftmost
/// match of the pattern would. The input must be valid UTF-8.
enum SplitPattern: Sendable, Hashable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (GPT-2, RoBERTa).
    case gpt2

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// Splits `text` into pieces, calling `body` with each piece's byte range.
    @inline(__always)
    func split(_ text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) throws -> Void) rethrows {
        var start = 0
        let classes = UnicodeClass.table
        try classes.withUnsafeBufferPointer { table in
            while start < text.count {
                let end = Self.gpt2PieceEnd(text, start, table)
                try body(start..<end)
                start = end
            }
        }
    }

    /// Decodes the scalar at `i`; returns (value, length). Input is valid UTF-8.
    @inline(__always)
    static func decode(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(text[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[i + 1]) & 0x3F, 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | (UInt32(text[i + 1]) & 0x3F) << 6 | UInt32(text[i + 2]) & 0x3F, 3)
        }
        return (
            (b0 & 0x07) << 18 | (UInt32(text[i + 1]) & 0x3F) << 12 | (UInt32(text[i + 2]) & 0x3F) << 6 | UInt32(text[i + 3])
                & 0x3F, 4
        )
    }

    @inline(__always)
    static func classAt(_ text: UnsafeBufferPointer<UInt8>, _ i: Int, _ table: UnsafeBufferPointer<UInt8>) -> (UInt8, Int) {
        let b = text[i]
        if b < 0x80 { return (table[Int(b)], 1) }
        let (scalar, length) = decode(text, i)
        return (table[Int(scalar)], length)
    }

    /// Advances over a run of characters of class `cls` (or, when `negated`, of any class other
    /// than letter, number and whitespace).
    @inline(__always)
    static func skipRun(
        _ text: UnsafeBufferPointer<UInt8>, from i: Int, cls: UInt8, _ table: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var j = i
        while j < text.count {
            let (c, n) = classAt(text, j, table)
            if c != cls { break }
            j += n
        }
        return j
    }

    static func gpt2PieceEnd(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ table: UnsafeBufferPointer<UInt8>) -> Int {
        let count = text.count
        let b = text[start]
        // Contractions, case-sensitive: 's 't 're 've 'm 'll 'd
        if b == 0x27 && start + 1 < count {
            let c1 = text[start + 1]
            if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { return start + 2 }
            if start + 2 < count {
                let c2 = text[start + 2]
                if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) {
                    return start + 3
                }
            }
        }
        var (cls, length) = classAt(text, start, table)
        var bodyStart = start
        if b == 0x20 && start + 1 < count {
            // ` ?X+`: an optional space glued to a following letter, number or symbol run.
            let (next, _) = classAt(text, start + 1, table)
            if next != UnicodeClass.whitespace {
                cls = next
                bodyStart = start + 1
                length = 0
            }
        }
        if cls != UnicodeClass.whitespace {
            return skipRun(text, from: bodyStart + length, cls: cls, table)
        }
        // Whitespace: `\s+(?!\S)` keeps the last whitespace character for the next piece when a
        // non-space follows; a single whitespace before a non-space falls back to `\s+`.
        let runEnd = skipRun(text, from: start, cls: UnicodeClass.whitespace, table)
        if runEnd == count { return runEnd }
        // Find the start of the last whitespace character of the run.
        var last = runEnd - 1
        while text[last] & 0xC0 == 0x80 { last -= 1 }
        return last > start ? last : runEnd
    }
}
