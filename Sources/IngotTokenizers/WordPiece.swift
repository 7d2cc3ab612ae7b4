import Foundation

/// BERT's WordPiece: greedy longest-match-first over each word, continuation pieces prefixed
/// with `##` in the vocabulary; a word with no complete segmentation (or longer than
/// `maxCharacters`) is one unknown token.
struct WordPieceModel: Sendable {
    /// Pieces that may start a word.
    let initial: ByteKeyedTable
    /// Continuation pieces, keyed without their prefix.
    let continuation: ByteKeyedTable
    let unknown: UInt32
    let maxCharacters: Int

    func encode(word: UnsafeBufferPointer<UInt8>, into output: inout [UInt32]) {
        var characters = 0
        for b in word where b & 0xC0 != 0x80 { characters += 1 }
        guard characters <= self.maxCharacters else {
            output.append(self.unknown)
            return
        }
        let before = output.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: UInt64?
            let table = start == 0 ? self.initial : self.continuation
            while end > start {
                if let id = table.find(UnsafeBufferPointer(rebasing: word[start..<end])) {
                    found = id
                    break
                }
                end -= 1
                while end > start && word[end] & 0xC0 == 0x80 { end -= 1 }  // character boundary
            }
            guard let id = found else {
                output.removeLast(output.count - before)
                output.append(self.unknown)
                return
            }
            output.append(UInt32(truncatingIfNeeded: id))
            start = end
        }
    }
}

/// BERT's normalizer and pre-tokenizer, exactly as HuggingFace's `BertNormalizer` and
/// `BertPreTokenizer`: clean control characters, space out CJK ideographs, strip accents (NFD
/// then drop nonspacing marks), lowercase character by character; then split at whitespace and
/// around every punctuation character.
struct BertText: Sendable, Hashable {
    let cleanText: Bool
    let chineseCharacters: Bool
    let stripAccents: Bool
    let lowercase: Bool

    /// Normalizes and splits `text` into words, calling `body` with each word's UTF-8.
    ///
    /// ASCII bytes take a byte-level path (most text); other characters go through the Unicode
    /// properties. Accents are stripped per character (canonical decomposition, nonspacing marks
    /// dropped), which is what decomposing the whole text and filtering gives, since only the
    /// marks being dropped can be reordered by canonical ordering.
    func words(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var word: [UInt8] = []
        word.reserveCapacity(64)
        func flush() {
            if !word.isEmpty {
                word.withUnsafeBufferPointer(body)
                word.removeAll(keepingCapacity: true)
            }
        }
        func emit(_ scalar: Unicode.Scalar) {
            if scalar.properties.isWhitespace {
                flush()
            } else if Self.isPunctuation(scalar) {
                flush()
                Self.appendUTF8(scalar, to: &word)
                flush()
            } else {
                Self.appendUTF8(scalar, to: &word)
            }
        }
        var i = 0
        while i < text.count {
            let b = text[i]
            if b < 0x80 {
                i += 1
                switch b {
                case 0x09, 0x0A, 0x0D, 0x20: flush()  // whitespace (clean_text maps it to a space; the split drops it)
                case 0x00..<0x20, 0x7F:
                    if !self.cleanText { emit(Unicode.Scalar(b)) }
                case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E:
                    flush()
                    word.append(b)
                    flush()
                case 0x41...0x5A:
                    word.append(self.lowercase ? b | 0x20 : b)
                default:
                    word.append(b)
                }
                continue
            }
            let (value, length) = UTF8Scalars.decode(text, i)
            i += length
            let scalar = Unicode.Scalar(value)!
            if self.cleanText {
                if value == 0xFFFD || Self.isControl(scalar) { continue }
                if scalar.properties.isWhitespace {
                    flush()
                    continue
                }
            }
            if self.chineseCharacters && Self.isChinese(value) {
                flush()
                Self.appendUTF8(scalar, to: &word)
                flush()
                continue
            }
            self.accentsAndCase(scalar, emit)
        }
        flush()
    }

    /// The scalars `scalar` becomes once accents are stripped and case lowered.
    @inline(__always)
    private func accentsAndCase(_ scalar: Unicode.Scalar, _ body: (Unicode.Scalar) -> Void) {
        var pieces: [Unicode.Scalar] = [scalar]
        if self.stripAccents {
            pieces = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }
        }
        for piece in pieces {
            if self.lowercase {
                // Per character, as Rust's char::to_lowercase: no context (no final-sigma rule).
                for lowered in piece.properties.lowercaseMapping.unicodeScalars { body(lowered) }
            } else {
                body(piece)
            }
        }
    }

    /// BertNormalizer alone (for pipelines that pair it with another pre-tokenizer): control
    /// characters removed and whitespace made a space, CJK ideographs spaced out, accents
    /// stripped, lowercased.
    func normalize(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            var s = scalar
            if self.cleanText {
                if s.value == 0 || s.value == 0xFFFD || Self.isControl(s) { continue }
                if s.properties.isWhitespace { s = " " }
            }
            if self.chineseCharacters && Self.isChinese(s.value) {
                out.append(0x20)
                Self.appendUTF8(s, to: &out)
                out.append(0x20)
                continue
            }
            self.accentsAndCase(s) { Self.appendUTF8($0, to: &out) }
        }
        return out
    }

    @inline(__always)
    static func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        let v = scalar.value
        switch v {
        case 0..<0x80: bytes.append(UInt8(v))
        case 0x80..<0x800: bytes += [UInt8(0xC0 | v >> 6), UInt8(0x80 | v & 0x3F)]
        case 0x800..<0x10000: bytes += [UInt8(0xE0 | v >> 12), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)]
        default:
            bytes += [UInt8(0xF0 | v >> 18), UInt8(0x80 | v >> 12 & 0x3F), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)]
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// HuggingFace's punctuation test reads a Unicode 9 era table (the unicode_categories crate):
    /// punctuation assigned later (U+09FD BENGALI ABBREVIATION SIGN, ...) is not punctuation there.
    static let punctuationUnicodeVersion = (major: 9, minor: 0)

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        }
        if let age = scalar.properties.age,
            (age.major, age.minor) > (Self.punctuationUnicodeVersion.major, Self.punctuationUnicodeVersion.minor)
        {
            return false
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isChinese(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
