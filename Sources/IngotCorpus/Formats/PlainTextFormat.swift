public import IngotCore

/// Plain UTF-8 text (`.txt`): one document per file, or per paragraph with
/// ``TextSplitting/blankLines`` (`--paragraphs`). Always read whole.
public struct PlainTextFormat: InputFormat {
    public init() {}

    public var name: String { "txt" }

    public func accepts(fileName: String) -> Bool {
        fileName.hasAnySuffix([".txt"])
    }

    public func makeReader(for piece: FilePiece, options: ReadOptions) throws(IngotError) -> any ChunkReading {
        let splitting = options.textSplitting
        return ByteChunkReader(piece: piece, options: options, framing: .wholePiece) { bytes, firstLine in
            TextRecords(bytes: bytes, firstLine: firstLine, splitting: splitting)
        }
    }
}
