/// The byte-level JSON grammar (RFC 8259), shared by the tree parser and the line scanner.
///
/// Works on a raw buffer with an index; never builds `Character`s. Strings decode into UTF-8
/// bytes. The caller guarantees the buffer outlives the scanner.
@usableFromInline
struct JSONScanner {
    static let maxDepth = 512

    let base: UnsafePointer<UInt8>
    let count: Int
    var index = 0
    /// Reused by the tree parser for each string's bytes.
    private var scratch: [UInt8] = []
    /// Members of the top-level object's member `deferredParent`, and members of the top-level
    /// object, that the tree parser leaves out, recording where their values are instead, by
    /// path (`model.vocab`, `vocab`; see ``JSONValue/parse(_:floats:deferring:)``).
    var deferredParent: String?
    var deferredKeys: Set<String> = []
    var deferredTopLevelKeys: Set<String> = []
    private(set) var deferredValues: [String: Range<Int>] = [:]
    /// Build fractional numbers as serde_json does by default (see ``serdeDouble(_:_:)``).
    var serdeFloats = false

    init(_ raw: UnsafeRawBufferPointer) {
        // An empty buffer still needs a valid pointer to compare against.
        self.base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        self.count = raw.count
    }

    var atEnd: Bool { self.index >= self.count }

    @inline(__always)
    func peek() -> UInt8? {
        self.index < self.count ? self.base[self.index] : nil
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while self.index < self.count {
            switch self.base[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        guard self.peek() == byte else { throw self.unexpected(expected: what) }
        self.index += 1
    }

    func unexpected(expected: String) -> JSONError {
        guard let byte = self.peek() else { return JSONError(offset: self.index, "unexpected end of input, expected \(expected)") }
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return JSONError(offset: self.index, "unexpected \(shown), expected \(expected)")
    }

    // MARK: Strings

    /// Decodes a string starting at its opening quote, appending its UTF-8 to `output`.
    mutating func parseString(into output: inout [UInt8]) throws(JSONError) {
        try self.expect(0x22, "'\"'")
        while true {
            let start = self.index
            self.skipPlainBytes()
            if self.index > start {
                output.append(contentsOf: UnsafeBufferPointer(start: self.base + start, count: self.index - start))
            }
            guard self.index < self.count else { throw JSONError(offset: self.index, "unterminated string") }
            let b = self.base[self.index]
            if b == 0x22 {
                self.index += 1
                return
            }
            if b < 0x20 { throw JSONError(offset: self.index, "unescaped control character in string") }
            try self.parseEscape(into: &output)
        }
    }

    /// The bytes of the string here when it has no escape (its text as it is in the input),
    /// moving past it; nil, with nothing consumed, when it has one (``parseString(into:)``
    /// decodes it then).
    mutating func parseUnescapedString() throws(JSONError) -> UnsafeBufferPointer<UInt8>? {
        let quote = self.index
        try self.expect(0x22, "'\"'")
        let start = self.index
        self.skipPlainBytes()
        guard self.index < self.count else { throw JSONError(offset: self.index, "unterminated string") }
        let b = self.base[self.index]
        if b == 0x22 {
            self.index += 1
            return UnsafeBufferPointer(start: self.base + start, count: self.index - 1 - start)
        }
        if b < 0x20 { throw JSONError(offset: self.index, "unescaped control character in string") }
        self.index = quote
        return nil
    }

    /// Validates a string without decoding it (escapes are checked, their bytes dropped).
    mutating func skipString() throws(JSONError) {
        try self.expect(0x22, "'\"'")
        var sink: [UInt8] = []
        while true {
            self.skipPlainBytes()
            guard self.index < self.count else { throw JSONError(offset: self.index, "unterminated string") }
            let b = self.base[self.index]
            if b == 0x22 {
                self.index += 1
                return
            }
            if b < 0x20 { throw JSONError(offset: self.index, "unescaped control character in string") }
            sink.removeAll(keepingCapacity: true)
            try self.parseEscape(into: &sink)
        }
    }

    /// Moves past the run of bytes that are neither a quote, a backslash nor a control
    /// character: eight at a time while none is (SWAR: no per-byte branch), then byte by byte.
    @inline(__always)
    private mutating func skipPlainBytes() {
        let raw = UnsafeRawPointer(self.base)
        while self.index + 8 <= self.count {
            let w = raw.loadUnaligned(fromByteOffset: self.index, as: UInt64.self)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)
            if special & highs != 0 { break }
            self.index += 8
        }
        while self.index < self.count {
            let b = self.base[self.index]
            if b == 0x22 || b == 0x5C || b < 0x20 { break }
            self.index += 1
        }
    }

    /// Compares the string at the current position with `key` (raw UTF-8), consuming it.
    /// Keys with escapes are decoded first, so `"te\u0078t"` equals `text`.
    mutating func matchString(_ key: [UInt8]) throws(JSONError) -> Bool {
        let start = self.index + 1
        // Fast path: no escapes, compare the raw bytes.
        if start + key.count < self.count, self.base[start + key.count] == 0x22 {
            var same = true
            for k in 0..<key.count where self.base[start + k] != key[k] {
                same = false
                break
            }
            if same && (0..<key.count).allSatisfy({ self.base[start + $0] != 0x5C }) {
                self.index = start + key.count + 1
                return true
            }
        }
        var decoded: [UInt8] = []
        try self.parseString(into: &decoded)
        return decoded.elementsEqual(key)
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws(JSONError) {
        let escapeStart = self.index
        self.index += 1  // backslash
        guard let c = self.peek() else { throw JSONError(offset: escapeStart, "unterminated escape") }
        self.index += 1
        switch c {
        case 0x22: output.append(0x22)
        case 0x5C: output.append(0x5C)
        case 0x2F: output.append(0x2F)
        case 0x62: output.append(0x08)
        case 0x66: output.append(0x0C)
        case 0x6E: output.append(0x0A)
        case 0x72: output.append(0x0D)
        case 0x74: output.append(0x09)
        case 0x75:
            var scalar = try self.parseHex4()
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                guard self.index + 1 < self.count, self.base[self.index] == 0x5C, self.base[self.index + 1] == 0x75 else {
                    throw JSONError(offset: escapeStart, "lone surrogate \\u\(String(scalar, radix: 16)) cannot be encoded as UTF-8")
                }
                self.index += 2
                let low = try self.parseHex4()
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw JSONError(offset: escapeStart, "lone surrogate \\u\(String(scalar, radix: 16)) cannot be encoded as UTF-8")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw JSONError(offset: escapeStart, "lone surrogate \\u\(String(scalar, radix: 16)) cannot be encoded as UTF-8")
            }
            Self.appendUTF8(scalar, to: &output)
        default:
            throw JSONError(offset: escapeStart, "invalid escape sequence")
        }
    }

    private mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard self.index + 4 <= self.count else { throw JSONError(offset: self.index, "truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = self.base[self.index]
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: throw JSONError(offset: self.index, "invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            self.index += 1
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Numbers and literals

    /// Validates a number, returning the range of its text.
    mutating func scanNumber() throws(JSONError) -> (start: Int, isInteger: Bool) {
        let start = self.index
        var isInteger = true
        if self.peek() == 0x2D { self.index += 1 }
        guard let first = self.peek(), first >= 0x30 && first <= 0x39 else { throw self.unexpected(expected: "a digit") }
        if first == 0x30 {
            self.index += 1
        } else {
            self.skipDigits()
        }
        if self.peek() == 0x2E {
            isInteger = false
            self.index += 1
            guard let d = self.peek(), d >= 0x30 && d <= 0x39 else { throw self.unexpected(expected: "a digit after '.'") }
            self.skipDigits()
        }
        if self.peek() == 0x65 || self.peek() == 0x45 {
            isInteger = false
            self.index += 1
            if self.peek() == 0x2B || self.peek() == 0x2D { self.index += 1 }
            guard let d = self.peek(), d >= 0x30 && d <= 0x39 else { throw self.unexpected(expected: "an exponent digit") }
            self.skipDigits()
        }
        return (start, isInteger)
    }

    private mutating func skipDigits() {
        while let d = self.peek(), d >= 0x30 && d <= 0x39 { self.index += 1 }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let start = self.index
        let n = literal.utf8CodeUnitCount
        guard start + n <= self.count else { throw JSONError(offset: start, "invalid literal") }
        for k in 0..<n where self.base[start + k] != literal.utf8Start[k] {
            throw JSONError(offset: start, "invalid literal")
        }
        self.index += n
    }

    // MARK: Values

    /// Skips (and validates) any value.
    mutating func skipValue(depth: Int) throws(JSONError) {
        guard depth < Self.maxDepth else { throw JSONError(offset: self.index, "nesting deeper than \(Self.maxDepth)") }
        self.skipWhitespace()
        guard let b = self.peek() else { throw self.unexpected(expected: "a value") }
        switch b {
        case 0x22: try self.skipString()
        case 0x7B:
            self.index += 1
            self.skipWhitespace()
            if self.peek() == 0x7D {
                self.index += 1
                return
            }
            while true {
                self.skipWhitespace()
                try self.skipString()
                self.skipWhitespace()
                try self.expect(0x3A, "':'")
                try self.skipValue(depth: depth + 1)
                self.skipWhitespace()
                if self.peek() == 0x2C {
                    self.index += 1
                    continue
                }
                try self.expect(0x7D, "',' or '}'")
                return
            }
        case 0x5B:
            self.index += 1
            self.skipWhitespace()
            if self.peek() == 0x5D {
                self.index += 1
                return
            }
            while true {
                try self.skipValue(depth: depth + 1)
                self.skipWhitespace()
                if self.peek() == 0x2C {
                    self.index += 1
                    continue
                }
                try self.expect(0x5D, "',' or ']'")
                return
            }
        case 0x74: try self.expectLiteral("true")
        case 0x66: try self.expectLiteral("false")
        case 0x6E: try self.expectLiteral("null")
        default: _ = try self.scanNumber()
        }
    }

    /// Moves past an object or array by its brackets alone (strings and their escapes skipped),
    /// checking nothing else: for deferred values, which whoever reads them parses strictly
    /// (a tokenizer's 9 MB vocabulary and merges would otherwise be checked twice).
    ///
    /// Eight bytes at a time: a word's quotes, as a bit per byte, become the bytes inside
    /// strings by a prefix XOR (carried from the word before), and only brackets outside them
    /// are looked at. A word with a backslash goes byte by byte, so escapes need no carry.
    mutating func skipContainerUnchecked() throws(JSONError) {
        let start = self.index
        var depth = 0
        var inString = false
        var escaped = false
        let raw = UnsafeRawPointer(self.base)
        while self.index < self.count {
            if !escaped && self.index + 8 <= self.count {
                let word = raw.loadUnaligned(fromByteOffset: self.index, as: UInt64.self)
                if Self.bytes(of: word, equalTo: 0x5C) == 0 {
                    var inside = Self.bytes(of: word, equalTo: 0x22)
                    inside ^= inside << 8
                    inside ^= inside << 16
                    inside ^= inside << 32
                    if inString { inside ^= Self.highBits }
                    // '[' and ']' differ from '{' and '}' by the 0x20 bit alone.
                    let folded = word | (Self.lowBits &* 0x20)
                    let opens = Self.bytes(of: folded, equalTo: 0x7B)
                    var brackets = (opens | Self.bytes(of: folded, equalTo: 0x7D)) & ~inside
                    while brackets != 0 {
                        let bit = brackets.trailingZeroBitCount
                        depth += opens & (1 << UInt64(bit)) != 0 ? 1 : -1
                        if depth == 0 {
                            self.index += bit / 8 + 1
                            return
                        }
                        brackets &= brackets &- 1
                    }
                    inString = inside >> 63 != 0
                    self.index += 8
                    continue
                }
            }
            let b = self.base[self.index]
            self.index += 1
            if inString {
                if escaped {
                    escaped = false  // the escaped byte may be a quote
                } else if b == 0x5C {
                    escaped = true
                } else if b == 0x22 {
                    inString = false
                }
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 { return }
            default: break  // control characters and all: the strict parse refuses what it must
            }
        }
        throw JSONError(offset: start, "unterminated object or array")
    }

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` that equals `byte` (exactly: no false positives).
    @inline(__always)
    private static func bytes(of word: UInt64, equalTo byte: UInt8) -> UInt64 {
        let difference = word ^ (Self.lowBits &* UInt64(byte))
        return ~(((difference & ~Self.highBits) &+ ~Self.highBits) | difference) & Self.highBits
    }

    /// Parses any value into a tree.
    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < Self.maxDepth else { throw JSONError(offset: self.index, "nesting deeper than \(Self.maxDepth)") }
        self.skipWhitespace()
        guard let b = self.peek() else { throw self.unexpected(expected: "a value") }
        switch b {
        case 0x22:
            return .string(try self.parseStringValue())
        case 0x7B:
            return try self.parseObject(depth: depth, deferring: false)
        case 0x5B:
            self.index += 1
            var elements: [JSONValue] = []
            self.skipWhitespace()
            if self.peek() == 0x5D {
                self.index += 1
                return .array(elements)
            }
            while true {
                elements.append(try self.parseValue(depth: depth + 1))
                self.skipWhitespace()
                if self.peek() == 0x2C {
                    self.index += 1
                    continue
                }
                try self.expect(0x5D, "',' or ']'")
                return .array(elements)
            }
        case 0x74:
            try self.expectLiteral("true")
            return .bool(true)
        case 0x66:
            try self.expectLiteral("false")
            return .bool(false)
        case 0x6E:
            try self.expectLiteral("null")
            return .null
        default:
            let (start, isInteger) = try self.scanNumber()
            // Small non-negative integers (ids, ranks: most numbers in tokenizer files) directly.
            if isInteger && self.index - start <= 18 && self.base[start] != 0x2D {
                var value = 0
                for k in start..<self.index { value = value &* 10 &+ Int(self.base[k] &- 0x30) }
                return .integer(value)
            }
            if !isInteger && self.serdeFloats, let d = Self.serdeDouble(UnsafeBufferPointer(start: self.base + start, count: self.index - start)) {
                return .number(d)
            }
            let text = String(decoding: UnsafeBufferPointer(start: self.base + start, count: self.index - start), as: UTF8.self)
            if isInteger, let i = Int(text) { return .integer(i) }
            guard let d = Double(text) else { throw JSONError(offset: start, "number out of range") }
            return .number(d)
        }
    }

    /// Parses an object starting at its opening brace. With `deferring`, members named in
    /// `deferredKeys` are validated and their ranges recorded, not built.
    private mutating func parseObject(depth: Int, deferring: Bool) throws(JSONError) -> JSONValue {
        self.index += 1
        var members: [(key: String, value: JSONValue)] = []
        self.skipWhitespace()
        if self.peek() == 0x7D {
            self.index += 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            let key = try self.parseStringValue()
            self.skipWhitespace()
            try self.expect(0x3A, "':'")
            if deferring && self.deferredKeys.contains(key) {
                try self.deferValue(at: "\(self.deferredParent ?? "").\(key)", depth: depth)
            } else if depth == 0 && self.deferredTopLevelKeys.contains(key) {
                try self.deferValue(at: key, depth: depth)
            } else if depth == 0 && key == self.deferredParent {
                self.skipWhitespace()
                if self.peek() == 0x7B {
                    members.append((key, try self.parseObject(depth: depth + 1, deferring: true)))
                } else {
                    members.append((key, try self.parseValue(depth: depth + 1)))
                }
            } else {
                members.append((key, try self.parseValue(depth: depth + 1)))
            }
            self.skipWhitespace()
            if self.peek() == 0x2C {
                self.index += 1
                continue
            }
            try self.expect(0x7D, "',' or '}'")
            return .object(members)
        }
    }

    /// Skips the value that starts here and records its range under `path`: a container only by
    /// its brackets (its syntax is checked when it is read).
    private mutating func deferValue(at path: String, depth: Int) throws(JSONError) {
        self.skipWhitespace()
        let start = self.index
        if self.peek() == 0x7B || self.peek() == 0x5B {
            try self.skipContainerUnchecked()
        } else {
            try self.skipValue(depth: depth + 1)
        }
        self.deferredValues[path] = start..<self.index
    }

    private mutating func parseStringValue() throws(JSONError) -> String {
        let start = self.index
        var bytes = self.scratch
        self.scratch = []
        bytes.removeAll(keepingCapacity: true)
        defer { self.scratch = bytes }
        try self.parseString(into: &bytes)
        // Checked here, then decoded: `String(validating:as:)` is generic and not inlined, and
        // looked up its type metadata at run time for every string. Parsing GPT-2's
        // tokenizer.json (a string per token and per merge) took 34 ms with it, 21 ms so.
        // `String(decoding:)` checks again on its fast path, but no public initializer takes
        // UTF-8 unchecked, and it repairs rather than refuses.
        guard bytes.withUnsafeBytes(UTF8Validation.isValid) else {
            throw JSONError(offset: start, "string is not valid UTF-8")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: serde_json's floats

    /// Powers of ten 1e0...1e308, each correctly rounded (as Rust's literals are).
    private static let powersOfTen: [Double] = (0...308).map { Double("1e\($0)")! }

    /// The double serde_json (without its `float_roundtrip` feature, as HuggingFace `tokenizers`
    /// builds it) reads from a validated JSON number: up to 19 significant digits collected in a
    /// UInt64 (later digits dropped), converted to Double, then multiplied or divided once by a
    /// power of ten. That can differ from the correctly rounded value by an ulp — for a quarter
    /// of T5's Unigram scores — and Viterbi ties then break differently, so tokenizer files are
    /// read the way the reference reads them.
    static func serdeDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let negative = text.first == 0x2D
        if negative { i += 1 }
        var significand: UInt64 = 0
        var exponent = 0
        var overflowed = false
        @inline(__always)
        func accumulate(_ digit: UInt64) -> Bool {
            // serde_json's overflow!(significand * 10 + digit, u64::MAX)
            let limit = UInt64.max / 10
            if significand >= limit && (significand > limit || digit > UInt64.max % 10) { return false }
            significand = significand * 10 + digit
            return true
        }
        // Integer part: once it would overflow, the remaining digits only raise the exponent.
        while i < text.count, text[i] >= 0x30 && text[i] <= 0x39 {
            if !overflowed && !accumulate(UInt64(text[i] - 0x30)) { overflowed = true }
            if overflowed { exponent += 1 }
            i += 1
        }
        if i < text.count && text[i] == 0x2E {
            i += 1
            while i < text.count, text[i] >= 0x30 && text[i] <= 0x39 {
                if !overflowed && !accumulate(UInt64(text[i] - 0x30)) { overflowed = true }
                if !overflowed { exponent -= 1 }
                i += 1
            }
        }
        if i < text.count && (text[i] == 0x65 || text[i] == 0x45) {
            i += 1
            var positive = true
            if text[i] == 0x2B { i += 1 } else if text[i] == 0x2D { positive = false; i += 1 }
            var e = 0
            while i < text.count, text[i] >= 0x30 && text[i] <= 0x39 {
                if e > 100_000 { return nil }  // far out of range either way: the standard path decides
                e = e * 10 + Int(text[i] - 0x30)
                i += 1
            }
            exponent += positive ? e : -e
        }
        var f = Double(significand)
        while true {
            let magnitude = exponent.magnitude
            if magnitude < UInt(Self.powersOfTen.count) {
                if exponent >= 0 {
                    f *= Self.powersOfTen[Int(magnitude)]
                    if f.isInfinite { return nil }
                } else {
                    f /= Self.powersOfTen[Int(magnitude)]
                }
                break
            }
            if f == 0 { break }
            if exponent >= 0 { return nil }
            f /= 1e308
            exponent += 308
        }
        return negative ? -f : f
    }
}
