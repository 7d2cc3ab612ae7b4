public import IngotCore
public import IngotCompression
import IngotSystem

/// Reads one piece of a file as chunks of complete records, decompressing on the way when the
/// format says so. Memory stays around two chunks, whatever the file size, unless the piece is
/// read whole (plain text: one document per file).
///
/// The reader finds the defects only it can see and attaches them to the chunk that ends where
/// they start: an empty file, a truncated or corrupt compressed stream (after the complete
/// lines decoded before it).
public struct ByteChunkReader: ChunkReading {
    /// How bytes are cut into chunks.
    public enum Framing: Sendable {
        /// At newlines, about every `chunkBytes`.
        case lines
        /// The whole piece in one chunk.
        case wholePiece
    }

    public let piece: FilePiece
    private let chunkBytes: Int
    private let framing: Framing
    private let makeRecords: @Sendable (_ bytes: [UInt8], _ firstLine: Int) -> any RecordBatch
    private var makeDecoder: (() throws(CompressionError) -> any StreamDecoder)?

    private var file: OpenFile?
    private var decoder: (any StreamDecoder)?
    private var offset: Int
    /// Decoded bytes not yet emitted (an incomplete last line, or less than a chunk).
    private var pending: [UInt8] = []
    private var pendingLine: Int
    private var inputBytesNotReported = 0
    private var producedAny = false
    private var exhausted = false
    private var done = false

    /// - Parameters:
    ///   - makeDecoder: the decompressor for the file's bytes, or nil for plain bytes.
    ///   - makeRecords: frames the records of a chunk's bytes, given the chunk's first line.
    public init(
        piece: FilePiece,
        options: ReadOptions,
        framing: Framing,
        makeDecoder: (() throws(CompressionError) -> any StreamDecoder)? = nil,
        makeRecords: @escaping @Sendable (_ bytes: [UInt8], _ firstLine: Int) -> any RecordBatch
    ) {
        self.piece = piece
        self.chunkBytes = options.chunkBytes
        self.framing = framing
        self.makeDecoder = makeDecoder
        self.makeRecords = makeRecords
        self.offset = piece.range.lowerBound
        self.pendingLine = piece.firstRecord
    }

    public mutating func next() throws(IngotError) -> CorpusChunk? {
        guard !self.done else { return nil }
        if self.file == nil {
            if self.piece.isWholeFile && self.piece.file.size == 0 {
                self.done = true
                return CorpusChunk(path: self.piece.file.path, records: self.makeRecords([], 1), inputBytes: 0, failure: (.emptyFile, 0))
            }
            try self.open()
        }
        if let chunk = try self.readChunk() { return chunk }
        self.done = true
        self.file = nil
        return nil
    }

    private mutating func open() throws(IngotError) {
        let path = self.piece.file.path
        do {
            self.file = try OpenFile(path, mode: .read)
        } catch {
            throw IngotError(.io, "\(error)")
        }
        if let makeDecoder = self.makeDecoder {
            do throws(CompressionError) {
                self.decoder = try makeDecoder()
            } catch {
                throw IngotError(.compression, "cannot decode '\(path)'", cause: error)
            }
            self.makeDecoder = nil
        }
    }

    private func read(count: Int, appendingTo buffer: inout [UInt8]) throws(IngotError) -> Int {
        do {
            return try self.file!.read(at: self.offset, count: count, appendingTo: &buffer)
        } catch {
            throw IngotError(.io, "\(error)")
        }
    }

    /// The size of the next chunk: `chunkBytes`, tapering over the last few chunks of a piece
    /// of lines read as it is stored (a quarter of what is left, down to an eighth of a chunk).
    /// Workers share one piece's chunks, and the last one is tokenized while the other cores
    /// wait: small last chunks end the piece with every core busy. Chunk boundaries change no
    /// output.
    private var targetChunkBytes: Int {
        guard self.framing == .lines && self.decoder == nil else { return self.chunkBytes }
        let left = self.piece.range.upperBound - self.offset + self.pending.count
        return min(self.chunkBytes, max(self.chunkBytes / 8, left / 4))
    }

    /// Reads until a chunk is ready; nil when the piece is done.
    private mutating func readChunk() throws(IngotError) -> CorpusChunk? {
        while !self.exhausted {
            if self.framing == .lines && self.pending.count >= self.targetChunkBytes,
                let cut = self.pending.withUnsafeBytes({ ByteSearch.lastIndex(of: 0x0A, in: $0) })
            {
                return self.emit(upTo: cut + 1, failure: nil)
            }
            let want = min(self.targetChunkBytes, self.piece.range.upperBound - self.offset)
            if want <= 0 {
                self.exhausted = true
                break
            }
            // A piece read whole, or a line longer than a chunk: size the buffer for what is left
            // of the piece once, instead of doubling it (and copying it) as it grows.
            if self.decoder == nil && (self.framing == .wholePiece || self.pending.count >= 4 * self.chunkBytes)
                && self.pending.capacity < self.pending.count + want
            {
                self.pending.reserveCapacity(self.pending.count + self.piece.range.upperBound - self.offset)
            }
            if var decoder = self.decoder {
                var raw: [UInt8] = []
                let n = try self.read(count: want, appendingTo: &raw)
                if n == 0 {
                    // The file shrank while we read it.
                    self.exhausted = true
                    break
                }
                self.offset += n
                self.inputBytesNotReported += n
                var pending = self.pending
                self.pending = []
                let failure = raw.withUnsafeBytes { buffer -> CompressionError? in
                    do throws(CompressionError) {
                        try decoder.decode(buffer, into: &pending)
                        return nil
                    } catch {
                        return error
                    }
                }
                self.pending = pending
                self.decoder = decoder
                if let failure { return self.fail(failure) }
            } else {
                var pending = self.pending
                self.pending = []
                let n = try self.read(count: want, appendingTo: &pending)
                self.pending = pending
                if n == 0 {
                    self.exhausted = true
                    break
                }
                self.offset += n
                self.inputBytesNotReported += n
            }
        }

        if var decoder = self.decoder {
            self.decoder = nil
            do throws(CompressionError) {
                try decoder.finish()
            } catch {
                return self.fail(error)
            }
        }
        guard !self.pending.isEmpty || self.inputBytesNotReported > 0 else { return nil }
        if !self.producedAny && self.pending.isEmpty && self.piece.isWholeFile {
            // A compressed file that decodes to nothing.
            return self.emit(upTo: 0, failure: (.emptyFile, 0))
        }
        return self.emit(upTo: self.pending.count, failure: nil)
    }

    /// Ends the piece with a decoding failure: emits the complete lines decoded so far and
    /// attaches the failure at the line where decoding stopped.
    private mutating func fail(_ error: CompressionError) -> CorpusChunk {
        self.exhausted = true
        self.decoder = nil
        let cut = self.pending.withUnsafeBytes { ByteSearch.lastIndex(of: 0x0A, in: $0) }.map { $0 + 1 } ?? 0
        let lines = self.pending.withUnsafeBytes { ByteSearch.count(of: 0x0A, in: $0, upTo: cut) }
        let reason: SkipReason =
            error.kind == .truncated
            ? .truncated("\(error.message)")
            : SkipReason(key: "corrupt_file", detail: "corrupt compressed data: \(error.message)")
        let chunk = self.emit(upTo: cut, failure: (reason, self.pendingLine + lines))
        self.pending.removeAll()  // the incomplete tail is part of the failure
        return chunk
    }

    private mutating func emit(upTo end: Int, failure: (reason: SkipReason, line: Int)?) -> CorpusChunk {
        // The buffer itself becomes the chunk, and what follows the cut (part of a line) starts
        // the next buffer: a copy of that tail rather than of the chunk.
        var bytes: [UInt8] = []
        swap(&bytes, &self.pending)
        if end < bytes.count {
            self.pending.reserveCapacity(bytes.count - end + self.targetChunkBytes)
            self.pending.append(contentsOf: bytes[end...])
            bytes.removeSubrange(end...)
        }
        let chunk = CorpusChunk(
            path: self.piece.file.path, records: self.makeRecords(bytes, self.pendingLine), inputBytes: self.inputBytesNotReported,
            failure: failure)
        self.pendingLine += bytes.withUnsafeBytes { ByteSearch.count(of: 0x0A, in: $0) }
        self.inputBytesNotReported = 0
        self.producedAny = true
        return chunk
    }
}
