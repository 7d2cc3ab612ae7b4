import IngotJSON

/// The shapes nearly every tokenizer.json writes its vocabulary and merges in, read in one pass
/// over the bytes: `{"token": 123, ...}` and `["a b", ...]` or `[["a", "b"], ...]`.
///
/// These two members are most of the file and are read on every start. Through
/// ``JSONPullReader`` they cost a few calls and a `JSONValue` per entry: 10-11 ms for GPT-2's
/// 50k tokens and 50k merges, each on its own core. The readers here return nil at the first
/// thing they do not expect (a number that is not a plain integer, a merge that is not two
/// byte-level tokens, bad syntax); the general reader then reads the member again and reports
/// what is wrong. A string with escapes (GPT-2 has 156) is decoded by
/// ``JSONPullReader`` on its own.
extension BPETableReader {
    /// Reads `range` as a vocabulary object; nil if it has another shape.
    func readVocabularyFast(_ range: Range<Int>) throws(TokenizerError) -> VocabularyBuilder? {
        var scan = CompactScan(self.file, range)
        guard scan.isValidUTF8, scan.take(0x7B) else { return nil }
        var entries = VocabularyBuilder(expectedBytes: range.count)
        if !scan.take(0x7D) {
            repeat {
                guard let key = scan.string(), scan.take(0x3A), let id = scan.integer() else { return nil }
                try scan.withBytes(of: key) { (text) throws(TokenizerError) in try entries.add(text, id: id, self) }
            } while scan.take(0x2C)
            guard scan.take(0x7D) else { return nil }
        }
        return scan.atEnd ? entries : nil
    }

    /// Reads `range` as a merge list; nil if it has another shape, or a token that is not
    /// byte-level encoded where the vocabulary's are.
    func decodeMergesFast(_ range: Range<Int>) -> DecodedMerges? {
        var scan = CompactScan(self.file, range)
        guard scan.isValidUTF8, scan.take(0x5B) else { return nil }
        var decoded = DecodedMerges(expectedBytes: range.count)
        if !scan.take(0x5D) {
            repeat {
                if scan.take(0x5B) {
                    // ["a", "b"]
                    guard let left = scan.string(), scan.withBytes(of: left, { self.appendToken($0, to: &decoded.bytes) }) else { return nil }
                    decoded.splits.append(UInt32(decoded.bytes.count))
                    guard scan.take(0x2C), let right = scan.string(), scan.withBytes(of: right, { self.appendToken($0, to: &decoded.bytes) }),
                        scan.take(0x5D)
                    else { return nil }
                    decoded.ends.append(UInt32(decoded.bytes.count))
                } else {
                    // "a b", split at the first space
                    guard let merge = scan.string() else { return nil }
                    let appended = scan.withBytes(of: merge) { text in
                        guard let space = text.firstIndex(of: 0x20), self.appendToken(UnsafeBufferPointer(rebasing: text[..<space]), to: &decoded.bytes)
                        else { return false }
                        decoded.splits.append(UInt32(decoded.bytes.count))
                        return self.appendToken(UnsafeBufferPointer(rebasing: text[(space + 1)...]), to: &decoded.bytes)
                    }
                    guard appended else { return nil }
                    decoded.ends.append(UInt32(decoded.bytes.count))
                }
            } while scan.take(0x2C)
            guard scan.take(0x5D) else { return nil }
        }
        return scan.atEnd ? decoded : nil
    }
}

/// A cursor over the bytes of one JSON value, for the shapes above: whitespace is skipped
/// before every token it reads.
struct CompactScan {
    /// A string read: its bytes in the input, or (when it had escapes) decoded in `scratch`.
    enum Text {
        case inPlace(UnsafeBufferPointer<UInt8>)
        case decoded
    }

    private let base: UnsafePointer<UInt8>
    private let start: Int
    private let end: Int
    private var index: Int
    /// The last string with escapes, decoded.
    private var scratch: [UInt8] = []

    init(_ file: UnsafeRawBufferPointer, _ range: Range<Int>) {
        self.base = file.baseAddress!.assumingMemoryBound(to: UInt8.self)
        self.start = range.lowerBound
        self.end = range.upperBound
        self.index = range.lowerBound
    }

    var isValidUTF8: Bool {
        UTF8Validation.firstInvalidOffset(in: UnsafeRawBufferPointer(start: self.base + self.start, count: self.end - self.start)) == nil
    }

    /// Whether only whitespace is left.
    var atEnd: Bool {
        mutating get {
            self.skipWhitespace()
            return self.index == self.end
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while self.index < self.end {
            switch self.base[self.index] {
            case 0x20, 0x0A, 0x0D, 0x09: self.index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` if it comes next.
    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        self.skipWhitespace()
        guard self.index < self.end, self.base[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    /// Reads the string that comes next; nil if none does, or it is not valid JSON.
    @inline(__always)
    mutating func string() -> Text? {
        guard self.take(0x22) else { return nil }
        let first = self.index
        var escaped = false
        while self.index < self.end {
            let b = self.base[self.index]
            if b == 0x22 { break }
            if b < 0x20 { return nil }
            if b == 0x5C {
                escaped = true
                self.index += 1  // the escaped byte may be a quote
            }
            self.index += 1
        }
        guard self.index < self.end else { return nil }
        self.index += 1
        guard escaped else { return .inPlace(UnsafeBufferPointer(start: self.base + first, count: self.index - 1 - first)) }
        return self.decode(from: first - 1) ? .decoded : nil
    }

    /// Decodes the string from its opening quote at `quote` to `index` into `scratch`.
    private mutating func decode(from quote: Int) -> Bool {
        self.scratch.removeAll(keepingCapacity: true)
        do {
            var reader = try JSONPullReader(UnsafeRawBufferPointer(start: self.base + quote, count: self.index - quote))
            try reader.readString(into: &self.scratch)
            try reader.finish()
            return true
        } catch {
            return false
        }
    }

    /// Calls `body` with the bytes of `text`, the last string read.
    @inline(__always)
    func withBytes<R, E: Error>(of text: Text, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        switch text {
        case .inPlace(let bytes): return try body(bytes)
        case .decoded: return try self.scratch.withUnsafeBufferPointer { (bytes) throws(E) in try body(bytes) }
        }
    }

    /// Reads a non-negative integer of at most 18 digits written plainly (no fraction, no
    /// exponent, no leading zero); nil, having consumed only whitespace, for any other value.
    @inline(__always)
    mutating func integer() -> Int? {
        self.skipWhitespace()
        let first = self.index
        var value = 0
        while self.index < self.end {
            let digit = self.base[self.index] &- 0x30
            guard digit < 10 else { break }
            value = value &* 10 &+ Int(digit)
            self.index += 1
        }
        let digits = self.index - first
        let next = self.index < self.end ? self.base[self.index] : 0x20
        guard digits > 0, digits <= 18, digits == 1 || self.base[first] != 0x30, next != 0x2E, next | 0x20 != 0x65 else {
            self.index = first
            return nil
        }
        return value
    }
}
