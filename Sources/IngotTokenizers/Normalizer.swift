import Foundation

/// HuggingFace's normalizers, applied to each run of text between added tokens before
/// pre-tokenization. This is the general path (it goes through `String` where Unicode
/// algorithms need it); BERT's normalizer has a fused fast path in ``BertText``.
indirect enum Normalizer: Sendable {
    case nfc, nfd, nfkc, nfkd
    /// Each character to its lowercase mapping, without context (as Rust's `char::to_lowercase`).
    case lowercase
    /// Removes leading and/or trailing White_Space.
    case strip(left: Bool, right: Bool)
    /// Removes combining marks (General_Category M); meant to follow NFD.
    case stripAccents
    /// Replaces every non-overlapping match of the pattern.
    case replace(TextPattern, with: [UInt8])
    /// Prepends a string to non-empty text.
    case prepend([UInt8])
    case precompiled(PrecompiledCharsMap)
    case bert(BertText)
    case sequence([Normalizer])

    func apply(_ text: [UInt8]) -> [UInt8] {
        switch self {
        case .nfc: return Self.viaString(text) { $0.precomposedStringWithCanonicalMapping }
        case .nfd: return Self.viaString(text) { $0.decomposedStringWithCanonicalMapping }
        case .nfkc: return Self.viaString(text) { $0.precomposedStringWithCompatibilityMapping }
        case .nfkd: return Self.viaString(text) { $0.decomposedStringWithCompatibilityMapping }
        case .lowercase:
            if !text.contains(where: { $0 >= 0x80 }) { return text.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars { BertText.appendUTF8(lowered, to: &out) }
            }
            return out
        case .strip(let left, let right):
            let scalars = Array(String(decoding: text, as: UTF8.self).unicodeScalars)
            var lower = 0
            var upper = scalars.count
            if left { while lower < upper && scalars[lower].properties.isWhitespace { lower += 1 } }
            if right { while upper > lower && scalars[upper - 1].properties.isWhitespace { upper -= 1 } }
            var out: [UInt8] = []
            for scalar in scalars[lower..<upper] { BertText.appendUTF8(scalar, to: &out) }
            return out
        case .stripAccents:
            var out: [UInt8] = []
            for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
                switch scalar.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: continue
                default: BertText.appendUTF8(scalar, to: &out)
                }
            }
            return out
        case .replace(let pattern, let content):
            var out: [UInt8] = []
            var previous = 0
            for range in pattern.matches(in: text) {
                out += text[previous..<range.lowerBound]
                out += content
                previous = range.upperBound
            }
            out += text[previous...]
            return out
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        case .precompiled(let map):
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            text.withUnsafeBufferPointer { map.normalizeLikeHuggingFace($0, into: &out) }
            return out
        case .bert(let bert):
            return text.withUnsafeBufferPointer { bert.normalize($0) }
        case .sequence(let steps):
            return steps.reduce(text) { $1.apply($0) }
        }
    }

    private static func viaString(_ text: [UInt8], _ transform: (String) -> String) -> [UInt8] {
        if !text.contains(where: { $0 >= 0x80 }) { return text }  // ASCII is invariant under every form
        return Array(transform(String(decoding: text, as: UTF8.self)).utf8)
    }
}
