/// Hand-written scanners for the split patterns tokenizers use, over UTF-8 bytes.
///
/// Each scanner returns the end of the piece that starts at `start`, exactly as the leftmost
/// match of the pattern would. The input must be valid UTF-8.
enum SplitPattern: Sendable, Hashable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (GPT-2, RoBERTa).
    case gpt2
    /// ``llama3Regex``: Llama 3's pattern (cl100k-style, as written in its tokenizer.json).
    case llama3
    /// ``cl100kRegex``: tiktoken's cl100k_base. Like ``llama3`` except that a whitespace run
    /// reaching the end of the text is one piece (`\\s++$`).
    case cl100k
    /// ``qwen2Regex``: Qwen 2's pattern, Llama 3's with single digits.
    case qwen2
    /// ``o200kRegex``: tiktoken's o200k_base, with case-aware words (`HTTPServer` -> `HTTP`, `Server`).
    case o200k
    /// ``tekkenRegex``: Mistral's Tekken, o200k's without contractions and with single digits.
    case tekken

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    static let cl100kRegex =
        #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"#

    static let qwen2Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    static let o200kRegex = [
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
        #"\p{N}{1,3}"#, #" ?[^\s\p{L}\p{N}]+[\r\n/]*"#, #"\s*[\r\n]+"#, #"\s+(?!\S)"#, #"\s+"#,
    ].joined(separator: "|")

    static let tekkenRegex = [
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"#,
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"#,
        #"\p{N}"#, #" ?[^\s\p{L}\p{N}]+[\r\n/]*"#, #"\s*[\r\n]+"#, #"\s+(?!\S)"#, #"\s+"#,
    ].joined(separator: "|")

    /// Every pattern with a scanner, with the regex it implements.
    static let all: [(pattern: SplitPattern, regex: String)] = [
        (.gpt2, gpt2Regex), (.llama3, llama3Regex), (.cl100k, cl100kRegex), (.qwen2, qwen2Regex),
        (.o200k, o200kRegex), (.tekken, tekkenRegex),
    ]

    /// The regex this scanner implements.
    var regex: String { Self.all.first { $0.pattern == self }!.regex }

    /// The scanner for a regex written in a tokenizer file, if Ingot has one.
    init?(regex: String) {
        guard let known = Self.all.first(where: { $0.regex == regex }) else { return nil }
        self = known.pattern
    }

    /// Splits `text` into pieces, calling `body` with each piece's byte range.
    @inline(__always)
    func split(_ text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var start = 0
        let classes = UnicodeClass.table
        classes.withUnsafeBufferPointer { table in
            switch self {
            case .gpt2:
                while start < text.count {
                    let end = Self.gpt2PieceEnd(text, start, table)
                    body(start..<end)
                    start = end
                }
            case .llama3, .cl100k, .qwen2:
                let wholeTrailingWhitespace = self == .cl100k
                let maxDigits = self == .qwen2 ? 1 : 3
                while start < text.count {
                    let end = Self.llama3PieceEnd(
                        text, start, table, wholeTrailingWhitespace: wholeTrailingWhitespace, maxDigits: maxDigits)
                    body(start..<end)
                    start = end
                }
            case .o200k, .tekken:
                let contractions = self == .o200k
                let maxDigits = self == .o200k ? 3 : 1
                while start < text.count {
                    let end = Self.caseAwarePieceEnd(text, start, table, contractions: contractions, maxDigits: maxDigits)
                    body(start..<end)
                    start = end
                }
            }
        }
    }

    /// The major class (letter, number, whitespace, other) of the character at `i`, and its length.
    @inline(__always)
    static func classAt(_ text: UnsafeBufferPointer<UInt8>, _ i: Int, _ table: UnsafeBufferPointer<UInt8>) -> (UInt8, Int) {
        let (entry, length) = entryAt(text, i, table)
        return (entry & UnicodeClass.majorMask, length)
    }

    /// The whole table entry (major class and flags) of the character at `i`, and its length.
    @inline(__always)
    static func entryAt(_ text: UnsafeBufferPointer<UInt8>, _ i: Int, _ table: UnsafeBufferPointer<UInt8>) -> (UInt8, Int) {
        let b = text[i]
        if b < 0x80 { return (table[Int(b)], 1) }
        let (scalar, length) = UTF8Scalars.decode(text, i)
        return (table[Int(scalar)], length)
    }

    /// Advances over a run of characters of major class `cls`.
    @inline(__always)
    static func skipRun(
        _ text: UnsafeBufferPointer<UInt8>, from i: Int, cls: UInt8, _ table: UnsafeBufferPointer<UInt8>
    ) -> Int {
        skip(text, from: i, mask: UnicodeClass.majorMask, equals: cls, table)
    }

    /// Advances while a character's table entry, masked, equals `value`.
    @inline(__always)
    static func skip(
        _ text: UnsafeBufferPointer<UInt8>, from i: Int, mask: UInt8, equals value: UInt8, _ table: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var j = i
        while j < text.count {
            let (e, n) = entryAt(text, j, table)
            if e & mask != value { break }
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

    @inline(__always)
    static func isNewline(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }

    /// Case-insensitive contractions as `(?i:'s|'t|'re|'ve|'m|'ll|'d)` matches them: ASCII letters
    /// of either case, plus U+017F LATIN SMALL LETTER LONG S, which case-folds to "s".
    static func contractionEnd(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        let count = text.count
        guard start + 1 < count else { return nil }
        let c1 = text[start + 1] | 0x20
        if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 {
            // Only letters fold like this: check the byte really was an ASCII letter.
            if text[start + 1] >= 0x41 && text[start + 1] <= 0x7A { return start + 2 }
        }
        if text[start + 1] == 0xC5 && start + 2 < count && text[start + 2] == 0xBF { return start + 3 }  // 'ſ
        guard start + 2 < count, text[start + 1] < 0x80, text[start + 2] < 0x80 else { return nil }
        let c2 = text[start + 2] | 0x20
        if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) { return start + 3 }
        return nil
    }

    static func llama3PieceEnd(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ table: UnsafeBufferPointer<UInt8>, wholeTrailingWhitespace: Bool,
        maxDigits: Int
    ) -> Int {
        let count = text.count
        let b = text[start]
        if b == 0x27, let end = contractionEnd(text, start) { return end }
        let (cls, length) = classAt(text, start, table)
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if cls == UnicodeClass.letter {
            return skipRun(text, from: start + length, cls: UnicodeClass.letter, table)
        }
        if cls != UnicodeClass.number && !isNewline(b) && start + length < count {
            let (next, nextLength) = classAt(text, start + length, table)
            if next == UnicodeClass.letter {
                return skipRun(text, from: start + length + nextLength, cls: UnicodeClass.letter, table)
            }
        }
        // \p{N}{1,maxDigits}
        if cls == UnicodeClass.number { return numberRunEnd(text, start + length, maxDigits: maxDigits, table) }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        if let end = symbolRunEnd(text, start, cls, table, slash: false) { return end }
        return whitespacePieceEnd(text, start, table, wholeTrailingWhitespace: wholeTrailingWhitespace)
    }

    /// `\s*[\r\n]+|\s+(?!\S)|\s+` from a whitespace character: the piece ends after the run's
    /// last newline if it has one; else before its last character when a non-space follows.
    @inline(__always)
    static func whitespacePieceEnd(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ table: UnsafeBufferPointer<UInt8>, wholeTrailingWhitespace: Bool
    ) -> Int {
        let count = text.count
        let runEnd = skipRun(text, from: start, cls: UnicodeClass.whitespace, table)
        if wholeTrailingWhitespace && runEnd == count { return runEnd }
        var lastNewline = -1
        var i = start
        while i < runEnd {
            if isNewline(text[i]) { lastNewline = i }
            i += 1
        }
        if lastNewline >= 0 { return lastNewline + 1 }
        if runEnd == count { return runEnd }
        var last = runEnd - 1
        while text[last] & 0xC0 == 0x80 { last -= 1 }
        return last > start ? last : runEnd
    }

    /// o200k and Tekken. In the regex's order of alternatives:
    /// 1. `P?U*L+` and 2. `P?U+L*`, where P is `[^\r\n\p{L}\p{N}]`, U `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` and
    ///    L `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (U and L overlap, and marks are in P too, so each is tried
    ///    with and without the optional P, as a backtracking engine would), then o200k's optional
    ///    contraction; 3. `\p{N}{1,maxDigits}`; 4. ` ?[^\s\p{L}\p{N}]+[\r\n/]*`; 5-7. whitespace.
    static func caseAwarePieceEnd(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ table: UnsafeBufferPointer<UInt8>, contractions: Bool,
        maxDigits: Int
    ) -> Int {
        let count = text.count
        let b = text[start]
        let (entry, length) = entryAt(text, start, table)
        let major = entry & UnicodeClass.majorMask
        let takesPrefix = major != UnicodeClass.letter && major != UnicodeClass.number && !isNewline(b) && start + length < count
        // The word alternatives are tried with the optional prefix taken, then without it.
        let firstStart = takesPrefix ? start + length : start
        let attempts = takesPrefix ? 2 : 1

        @inline(__always)
        func contraction(after end: Int) -> Int {
            guard contractions, end < count, text[end] == 0x27 else { return end }
            return contractionEnd(text, end) ?? end
        }
        // 1. U*L+: greedy U*, then backtrack to the last L character if no L follows the run.
        for attempt in 0..<attempts {
            var i = attempt == 0 ? firstStart : start
            var lastLowerEnd = -1
            while i < count {
                let (e, n) = entryAt(text, i, table)
                if e & UnicodeClass.upperFlag == 0 { break }
                i += n
                if e & UnicodeClass.lowerFlag != 0 { lastLowerEnd = i }
            }
            if i < count {
                let (e, n) = entryAt(text, i, table)
                if e & UnicodeClass.lowerFlag != 0 {
                    return contraction(after: skipFlagged(text, from: i + n, flag: UnicodeClass.lowerFlag, table))
                }
            }
            if lastLowerEnd >= 0 { return contraction(after: lastLowerEnd) }
        }
        // 2. U+L*
        for attempt in 0..<attempts {
            let s = attempt == 0 ? firstStart : start
            let (e, n) = entryAt(text, s, table)
            guard e & UnicodeClass.upperFlag != 0 else { continue }
            let upperEnd = skipFlagged(text, from: s + n, flag: UnicodeClass.upperFlag, table)
            return contraction(after: skipFlagged(text, from: upperEnd, flag: UnicodeClass.lowerFlag, table))
        }
        // 3. \p{N}{1,maxDigits}
        if major == UnicodeClass.number { return numberRunEnd(text, start + length, maxDigits: maxDigits, table) }
        // 4. ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
        if let end = symbolRunEnd(text, start, major, table, slash: true) { return end }
        return whitespacePieceEnd(text, start, table, wholeTrailingWhitespace: false)
    }

    /// `\p{N}{1,maxDigits}` after the first number, which ends at `end`.
    @inline(__always)
    static func numberRunEnd(_ text: UnsafeBufferPointer<UInt8>, _ end: Int, maxDigits: Int, _ table: UnsafeBufferPointer<UInt8>) -> Int {
        var end = end
        for _ in 1..<maxDigits where end < text.count {
            let (c, n) = classAt(text, end, table)
            if c != UnicodeClass.number { break }
            end += n
        }
        return end
    }

    /// ` ?[^\s\p{L}\p{N}]+` then `[\r\n]*` (or `[\r\n/]*` with `slash`), if the piece at `start`
    /// (of class `cls`) is one.
    @inline(__always)
    static func symbolRunEnd(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ cls: UInt8, _ table: UnsafeBufferPointer<UInt8>, slash: Bool
    ) -> Int? {
        let count = text.count
        let runStart: Int
        if text[start] == 0x20 && start + 1 < count && classAt(text, start + 1, table).0 == UnicodeClass.other {
            runStart = start + 1
        } else if cls == UnicodeClass.other {
            runStart = start
        } else {
            return nil
        }
        var end = skipRun(text, from: runStart, cls: UnicodeClass.other, table)
        while end < count && (isNewline(text[end]) || (slash && text[end] == 0x2F)) { end += 1 }
        return end
    }

    /// Advances over characters whose table entry has `flag`.
    @inline(__always)
    static func skipFlagged(
        _ text: UnsafeBufferPointer<UInt8>, from i: Int, flag: UInt8, _ table: UnsafeBufferPointer<UInt8>
    ) -> Int {
        skip(text, from: i, mask: flag, equals: flag, table)
    }
}
