import IngotCore

/// The input formats a run recognises, in order of preference: the first that accepts a file
/// name reads the file.
public struct InputFormats: Sendable {
    public var formats: [any InputFormat]

    public init(_ formats: [any InputFormat]) {
        self.formats = formats
    }

    /// JSON Lines (`.jsonl`, `.ndjson`, `.json`; plain, `.zst` or `.gz`), plain text (`.txt`) and
    /// Parquet (`.parquet`).
    public static let builtIn = InputFormats([
        JSONLinesFormat(compression: .none),
        JSONLinesFormat(compression: .zstd),
        JSONLinesFormat(compression: .gzip),
        PlainTextFormat(),
        ParquetFormat(),
    ])

    /// These formats and then `more`.
    public func adding(_ more: any InputFormat...) -> InputFormats {
        InputFormats(self.formats + more)
    }

    /// The format that reads a file of this name, or nil.
    public func format(forFileName name: String) -> (any InputFormat)? {
        self.formats.first { $0.accepts(fileName: name) }
    }

    /// The accepted names, for messages: `.jsonl, .jsonl.zst, .jsonl.gz, .txt`.
    public var summary: String { self.formats.map { "." + $0.name }.joined(separator: ", ") }
}

extension String {
    /// Whether the name ends with any of the suffixes, ignoring ASCII case.
    func hasAnySuffix(_ suffixes: [String]) -> Bool {
        let name = self.lowercased()
        return suffixes.contains { name.hasSuffix($0) }
    }
}
