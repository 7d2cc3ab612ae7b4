/// One step of a general pre-tokenizer sequence, as HuggingFace defines it: each step splits every
/// piece the previous step produced. The common configurations have fused fast paths
/// (``PreTokenizer``); this is the path for everything else.
enum PreTokenizerStep: Sendable {
    /// Optional leading space, then (with `useRegex`) the GPT-2 pattern. The byte-to-character
    /// mapping itself is the BPE model's byte alphabet.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(TextPattern, SplitBehavior, invert: Bool)
    /// `\w+|[^\w\s]+`: words and runs of other non-space characters; whitespace dropped.
    case whitespace
    /// Splits at White_Space, dropping it.
    case whitespaceSplit
    /// Numbers (General_Category N) one by one, or as runs.
    case digits(individually: Bool)
    case punctuation(SplitBehavior)
    case charDelimiter([UInt8])
    /// Spaces become `replacement`, which is prepended per the scheme; with `split`, pieces are
    /// cut before each `replacement`.
    case metaspace(replacement: [UInt8], prepend: PreTokenizer.PrependScheme, split: Bool)
    /// Whitespace dropped, punctuation isolated (BertPreTokenizer).
    case bert

    /// A piece of text and whether it starts at the very beginning of the input (Metaspace's
    /// `first` scheme prepends only there).
    struct Piece: Sendable {
        var bytes: [UInt8]
        var atOrigin: Bool
    }

    func apply(_ pieces: [Piece]) -> [Piece] {
        var out: [Piece] = []
        out.reserveCapacity(pieces.count)
        for piece in pieces { self.apply(piece, into: &out) }
        return out
    }

    private func apply(_ piece: Piece, into out: inout [Piece]) {
        switch self {
        case .byteLevel(let addPrefixSpace, let useRegex):
            var bytes = piece.bytes
            if addPrefixSpace && bytes.first != 0x20 { bytes.insert(0x20, at: 0) }
            if useRegex {
                Self.split(Piece(bytes: bytes, atOrigin: piece.atOrigin), TextPattern.scanner(.gpt2).matches(in: bytes), .isolated, into: &out)
            } else if !bytes.isEmpty {
                out.append(Piece(bytes: bytes, atOrigin: piece.atOrigin))
            }
        case .split(let pattern, let behavior, let invert):
            let matches = pattern.matches(in: piece.bytes)
            if invert {
                Self.split(piece, Self.complement(matches, count: piece.bytes.count), behavior, into: &out)
            } else {
                Self.split(piece, matches, behavior, into: &out)
            }
        case .whitespace:
            // Keep the matches of \w+|[^\w\s]+ (everything but whitespace, cut where a word
            // character meets a non-word one).
            Self.split(piece, Self.runs(piece.bytes) { Self.isWhitespace($0) ? 0 : Self.isWordCharacter($0) ? 1 : 2 }, .removedComplement, into: &out)
        case .whitespaceSplit:
            Self.split(piece, Self.runs(piece.bytes) { Self.isWhitespace($0) ? 1 : 0 }, .removed, into: &out)
        case .digits(let individually):
            let matches = Self.runs(piece.bytes, individually: individually) { Self.isNumeric($0) ? 1 : 0 }
            Self.split(piece, matches, individually ? .isolated : .contiguous, into: &out)
        case .punctuation(let behavior):
            Self.split(piece, Self.runs(piece.bytes, individually: true) { BertText.isPunctuation($0) ? 1 : 0 }, behavior, into: &out)
        case .charDelimiter(let delimiter):
            Self.split(piece, TextPattern.literal(delimiter).matches(in: piece.bytes), .removed, into: &out)
        case .metaspace(let replacement, let prepend, let split):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(piece.bytes.count + replacement.count)
            for b in piece.bytes {
                if b == 0x20 { bytes += replacement } else { bytes.append(b) }
            }
            // Checked after spaces are replaced: a leading space counts as the marker.
            if !bytes.starts(with: replacement) && (prepend == .always || (prepend == .first && piece.atOrigin)) {
                bytes.insert(contentsOf: replacement, at: 0)
            }
            let whole = Piece(bytes: bytes, atOrigin: piece.atOrigin)
            if split {
                Self.split(whole, TextPattern.literal(replacement).matches(in: bytes), .mergedWithNext, into: &out)
            } else if !bytes.isEmpty {
                out.append(whole)
            }
        case .bert:
            var words: [Piece] = []
            Self.split(piece, Self.runs(piece.bytes) { Self.isWhitespace($0) ? 1 : 0 }, .removed, into: &words)
            for word in words {
                Self.split(word, Self.runs(word.bytes, individually: true) { BertText.isPunctuation($0) ? 1 : 0 }, .isolated, into: &out)
            }
        }
    }

    // MARK: Splitting by behavior

    /// Ranges of maximal runs of scalars whose `kind` is nonzero and equal (with `individually`,
    /// each such scalar alone).
    private static func runs(
        _ bytes: [UInt8], individually: Bool = false, _ kind: (Unicode.Scalar) -> Int
    ) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var runStart = -1
        var runKind = 0
        var i = 0
        bytes.withUnsafeBufferPointer { text in
            while i < text.count {
                let (value, length) = UTF8Scalars.decode(text, i)
                let k = kind(Unicode.Scalar(value) ?? "\u{FFFD}")
                if k != runKind || individually {
                    if runKind != 0 { ranges.append(runStart..<i) }
                    runStart = i
                    runKind = k
                }
                i += length
            }
        }
        if runKind != 0 { ranges.append(runStart..<bytes.count) }
        return ranges
    }

    private static func complement(_ matches: [Range<Int>], count: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var previous = 0
        for m in matches {
            if m.lowerBound > previous { out.append(previous..<m.lowerBound) }
            previous = m.upperBound
        }
        if previous < count { out.append(previous..<count) }
        return out
    }

    /// Applies a split behavior to `matches` (sorted, non-overlapping) within `piece`, the way
    /// HuggingFace's `NormalizedString::split` does; empty pieces are dropped.
    static func split(_ piece: Piece, _ matches: [Range<Int>], _ behavior: SplitBehavior, into out: inout [Piece]) {
        // The whole text as alternating (range, isMatch) spans.
        var spans: [(Range<Int>, Bool)] = []
        var previous = 0
        for m in matches {
            if m.lowerBound > previous { spans.append((previous..<m.lowerBound, false)) }
            spans.append((m, true))
            previous = m.upperBound
        }
        if previous < piece.bytes.count || spans.isEmpty { spans.append((previous..<piece.bytes.count, false)) }

        var kept: [Range<Int>] = []
        switch behavior {
        case .removed:
            kept = spans.filter { !$0.1 }.map(\.0)
        case .removedComplement:
            kept = spans.filter { $0.1 }.map(\.0)
        case .isolated:
            kept = spans.map(\.0)
        case .contiguous:
            var previousMatch = false
            for (range, isMatch) in spans {
                if isMatch == previousMatch, let last = kept.last {
                    kept[kept.count - 1] = last.lowerBound..<range.upperBound
                } else {
                    kept.append(range)
                }
                previousMatch = isMatch
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for (range, isMatch) in spans {
                if isMatch && !previousMatch, let last = kept.last {
                    kept[kept.count - 1] = last.lowerBound..<range.upperBound
                } else {
                    kept.append(range)
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for (range, isMatch) in spans.reversed() {
                if isMatch && !previousMatch, let last = kept.last {
                    kept[kept.count - 1] = range.lowerBound..<last.upperBound
                } else {
                    kept.append(range)
                }
                previousMatch = isMatch
            }
            kept.reverse()
        }
        for range in kept where !range.isEmpty {
            out.append(Piece(bytes: Array(piece.bytes[range]), atOrigin: piece.atOrigin && range.lowerBound == 0))
        }
    }

    // MARK: Character classes (Rust's `char` methods, which these pre-tokenizers call)

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    /// `\w` of Rust's `regex`: Alphabetic, M, Nd, Pc, Join_Control.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        let p = s.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Rust's `char::is_numeric`: General_Category Nd, Nl or No.
    static func isNumeric(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
}

/// What a split does with the delimiters it finds (HuggingFace's `SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
    /// Keeps the matches and drops the rest (`Removed` with an inverted pattern).
    case removedComplement
}
