#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import IngotCore
import IngotJSON

/// Turns corpus chunks into documents: one per JSONL line (the text at a key path), or per text
/// file (whole, or split at blank lines).
///
/// Every line is validated (UTF-8 and JSON syntax) and every document is accounted for: bad
/// input stops the run with `file:line: reason`, or is counted by reason under `--on-error skip`.
public struct ReadCorpus: Stage {
    public typealias Input = CorpusChunk
    public typealias Output = Document

    /// How `.txt` files become documents.
    public struct TextSplitting: Sendable, Hashable {
        enum Wrapped: Sendable, Hashable { case wholeFile, blankLines }
        let wrapped: Wrapped
        /// One document per file (the default).
        public static let wholeFile = TextSplitting(wrapped: .wholeFile)
        /// One document per run of non-blank lines.
        public static let blankLines = TextSplitting(wrapped: .blankLines)
    }

    public let keyPath: [String]
    public let textSplitting: TextSplitting
    private let scanner: JSONLineScanner

    /// - Parameters:
    ///   - field: the JSON key holding the text; dots reach nested objects (`"meta.body"`).
    ///   - text: how plain-text files are cut into documents.
    public init(field: String = "text", text: TextSplitting = .wholeFile) {
        self.init(keyPath: field.split(separator: ".", omittingEmptySubsequences: false).map(String.init), text: text)
    }

    /// - Parameter keyPath: the keys leading to the text, outermost first.
    public init(keyPath: [String], text: TextSplitting = .wholeFile) {
        self.keyPath = keyPath
        self.textSplitting = text
        self.scanner = JSONLineScanner(keyPath: keyPath)
    }

    private var fieldName: String { self.keyPath.joined(separator: ".") }

    public mutating func process(
        _ chunk: consuming CorpusChunk,
        context: StageContext,
        emit: (consuming Document) throws -> Void
    ) throws {
        context.statistics.inputBytes += chunk.inputBytes
        switch chunk.format {
        case .jsonl, .jsonlZstd, .jsonlGzip:
            try self.readLines(chunk, context: context, emit: emit)
        case .text:
            try self.readText(chunk, context: context, emit: emit)
        }
        if let failure = chunk.failure {
            context.statistics.documentsRead += 1
            try context.reject(failure.reason, at: InputLocation(path: chunk.path, line: failure.line))
        }
    }

    private func readLines(
        _ chunk: borrowing CorpusChunk,
        context: StageContext,
        emit: (consuming Document) throws -> Void
    ) throws {
        var text: [UInt8] = []
        var line = chunk.firstLine
        try chunk.bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            let end = raw.count
            var start = 0
            while start < end {
                let lineEnd = memchr(base + start, 0x0A, end - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? end
                defer {
                    start = lineEnd + 1
                    line += 1
                }
                let bytes = UnsafeRawBufferPointer(start: base + start, count: lineEnd - start)
                if Self.isBlank(bytes) {
                    context.statistics.blankLines += 1
                    continue
                }
                context.statistics.documentsRead += 1
                let location = InputLocation(path: chunk.path, line: line)
                if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
                    try context.reject(.invalidUTF8("at byte \(bad + 1) of the line"), at: location)
                    continue
                }
                do throws(JSONLineScanner.Failure) {
                    try self.scanner.extract(from: bytes, into: &text)
                } catch {
                    switch error {
                    case .malformed(let json):
                        if json.message.hasPrefix("lone surrogate") {
                            try context.reject(.invalidUTF8("in field '\(self.fieldName)': \(json.message)"), at: location)
                        } else {
                            try context.reject(.malformedJSON("\(json.message) at column \(json.offset + 1)"), at: location)
                        }
                    case .missingField:
                        try context.reject(.missingField(self.fieldName), at: location)
                    case .notAString(let kind):
                        try context.reject(.notAString(self.fieldName, found: kind), at: location)
                    }
                    continue
                }
                try emit(Document(text: text, location: location))
            }
        }
    }

    private func readText(
        _ chunk: borrowing CorpusChunk,
        context: StageContext,
        emit: (consuming Document) throws -> Void
    ) throws {
        guard !chunk.bytes.isEmpty else { return }
        let invalid = chunk.bytes.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0) }
        if let invalid {
            context.statistics.documentsRead += 1
            let line = chunk.firstLine + ChunkReader.countNewlines(chunk.bytes, upTo: invalid)
            try context.reject(.invalidUTF8("at byte \(invalid + 1) of the file"), at: InputLocation(path: chunk.path, line: line))
            return
        }
        switch self.textSplitting.wrapped {
        case .wholeFile:
            context.statistics.documentsRead += 1
            try emit(Document(text: chunk.bytes, location: InputLocation(path: chunk.path, line: chunk.firstLine)))
        case .blankLines:
            // Paragraphs: maximal runs of non-blank lines, joined with their newlines.
            var paragraphStart: Int?
            var paragraphLine = 0
            var paragraphEnd = 0
            var line = chunk.firstLine
            var start = 0
            let bytes = chunk.bytes
            func flush() throws {
                if let s = paragraphStart {
                    context.statistics.documentsRead += 1
                    try emit(Document(text: Array(bytes[s..<paragraphEnd]), location: InputLocation(path: chunk.path, line: paragraphLine)))
                    paragraphStart = nil
                }
            }
            while start < bytes.count {
                let lineEnd = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                let blank = bytes.withUnsafeBytes { Self.isBlank(UnsafeRawBufferPointer(rebasing: $0[start..<lineEnd])) }
                if blank {
                    try flush()
                } else {
                    if paragraphStart == nil {
                        paragraphStart = start
                        paragraphLine = line
                    }
                    paragraphEnd = lineEnd
                }
                start = lineEnd + 1
                line += 1
            }
            try flush()
        }
    }

    @inline(__always)
    static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for b in bytes where !(b == 0x20 || b == 0x09 || b == 0x0D) { return false }
        return true
    }
}
