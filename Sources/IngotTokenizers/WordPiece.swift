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

    func normalize(_ text: UnsafeBufferPointer<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            let properties = scalar.properties
            if self.cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
                if properties.isWhitespace {
                    scalars.append(" ")
                    continue
                }
            }
            if self.chineseCharacters && Self.isChinese(scalar.value) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
                continue
            }
            scalars.append(scalar)
        }
        var string = String(scalars)
        if self.stripAccents {
            string = String(String.UnicodeScalarView(
                string.decomposedStringWithCanonicalMapping.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }))
        }
        if self.lowercase {
            var lowered = String.UnicodeScalarView()
            for scalar in string.unicodeScalars {
                // Per character, as Rust's char::to_lowercase: no context (no final-sigma rule).
                lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
            string = String(lowered)
        }
        return string
    }

    /// Words of normalized text: whitespace separates, punctuation stands alone.
    func words(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var word: [UInt8] = []
        func flush() {
            if !word.isEmpty {
                word.withUnsafeBufferPointer(body)
                word.removeAll(keepingCapacity: true)
            }
        }
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                flush()
            } else if Self.isPunctuation(scalar) {
                flush()
                word.append(contentsOf: String(scalar).utf8)
                flush()
            } else {
                word.append(contentsOf: String(scalar).utf8)
            }
        }
        flush()
    }

    /// Removed by clean_text: categories Cc, Cf, Co, Cs (unassigned code points are kept).
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
