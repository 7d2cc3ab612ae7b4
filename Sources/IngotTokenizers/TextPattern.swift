/// What a `Split` pre-tokenizer or a `Replace` normalizer looks for: a literal string, a split
/// pattern with a hand-written scanner, or any other regex through the general engine.
enum TextPattern: Sendable {
    case literal([UInt8])
    /// A known split pattern: its scanner's pieces are exactly the regex's matches, and they
    /// cover the text.
    case scanner(SplitPattern)
    case regex(GeneralRegex)

    /// A pattern from a tokenizer file's `{"String": ...}` or `{"Regex": ...}`.
    static func regex(_ source: String) throws(GeneralRegex.SyntaxError) -> TextPattern {
        if let scanner = SplitPattern(regex: source) { return .scanner(scanner) }
        return .regex(try GeneralRegex(source))
    }

    /// Byte ranges of the non-overlapping matches, left to right.
    func matches(in text: [UInt8]) -> [Range<Int>] {
        switch self {
        case .literal(let needle):
            guard !needle.isEmpty, needle.count <= text.count else { return [] }
            var ranges: [Range<Int>] = []
            var i = 0
            while i + needle.count <= text.count {
                if text[i] == needle[0] && text[i..<(i + needle.count)].elementsEqual(needle) {
                    ranges.append(i..<(i + needle.count))
                    i += needle.count
                } else {
                    i += 1
                }
            }
            return ranges
        case .scanner(let pattern):
            var ranges: [Range<Int>] = []
            text.withUnsafeBufferPointer { buffer in pattern.split(buffer) { ranges.append($0) } }
            return ranges
        case .regex(let regex):
            return regex.matches(in: text)
        }
    }
}

/// The general regex engine for patterns without a scanner: Swift's `Regex`, matching by Unicode
/// scalar (not by grapheme cluster), which is how Oniguruma, `regex` and `fancy-regex` match.
struct GeneralRegex: @unchecked Sendable {
    // `Regex<AnyRegexOutput>` is immutable once built; matching does not mutate it.
    let source: String
    private let regex: Regex<AnyRegexOutput>

    struct SyntaxError: Error, CustomStringConvertible {
        let source: String
        let reason: String
        var description: String { "regex \(self.source.debugDescription) cannot be compiled: \(self.reason)" }
    }

    init(_ source: String) throws(SyntaxError) {
        self.source = source
        do {
            self.regex = try Regex(Self.pinningClasses(source)).matchingSemantics(.unicodeScalar)
        } catch {
            throw SyntaxError(source: source, reason: "\(error)")
        }
    }

    /// Spells `\d`, `\w` and `\s` (and their negations) as the Unicode properties Oniguruma
    /// gives them (`\d` is Nd only, `\w` is Alphabetic, marks, Nd and Pc, `\s`
    /// is White_Space), so the meaning does not depend on the engine's defaults.
    static func pinningClasses(_ source: String) -> String {
        let word = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}"#
        var out = ""
        var depth = 0
        var iterator = source.makeIterator()
        while let c = iterator.next() {
            if c == "\\", let next = iterator.next() {
                switch (next, depth > 0) {
                case ("d", _): out += #"\p{Nd}"#
                case ("D", _): out += #"\P{Nd}"#
                case ("s", _): out += #"\p{White_Space}"#
                case ("S", _): out += #"\P{White_Space}"#
                case ("w", false): out += "[" + word + "]"
                case ("w", true): out += word
                case ("W", false): out += "[^" + word + "]"
                default: out += "\\" + String(next)  // \W inside a class keeps the engine's meaning
                }
                continue
            }
            if c == "[" { depth += 1 }
            if c == "]" && depth > 0 { depth -= 1 }
            out.append(c)
        }
        return out
    }

    func matches(in text: [UInt8]) -> [Range<Int>] {
        let string = String(decoding: text, as: UTF8.self)
        let utf8 = string.utf8
        return string.matches(of: self.regex).map { match in
            utf8.distance(from: utf8.startIndex, to: match.range.lowerBound)..<utf8.distance(
                from: utf8.startIndex, to: match.range.upperBound)
        }
    }
}
