#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import IngotCore
import IngotCompression

/// Reads a partition as a sequence of ``CorpusChunk``s of about `chunkBytes` each, decompressing
/// `.zst` and `.gz` files on the way. Memory stays around two chunks, whatever the file size.
public struct ChunkReader {
    public let partition: CorpusPartition
    public let chunkBytes: Int

    private var segmentIndex = 0
    private var state: SegmentState?

    private struct SegmentState {
        let segment: CorpusPartition.Segment
        let file: InputFile
        var decoder: (any StreamDecoder)?
        var offset: Int
        /// Decoded bytes not yet emitted (an incomplete last line, or less than a chunk).
        var pending: [UInt8] = []
        var pendingLine: Int
        var inputBytesNotReported = 0
        var producedAny = false
        var exhausted = false
    }

    public init(partition: CorpusPartition, chunkBytes: Int = 1 << 20) {
        self.partition = partition
        self.chunkBytes = chunkBytes
    }

    /// The next chunk, or nil at the end of the partition.
    public mutating func next() throws(IngotError) -> CorpusChunk? {
        while true {
            if self.state == nil {
                guard self.segmentIndex < self.partition.segments.count else { return nil }
                let segment = self.partition.segments[self.segmentIndex]
                self.segmentIndex += 1
                if segment.isWholeFile && segment.file.size == 0 {
                    return CorpusChunk(
                        bytes: [], path: segment.file.path, format: segment.file.format, inputBytes: 0,
                        failure: (.emptyFile, 0))
                }
                self.state = try self.open(segment)
            }
            if let chunk = try self.readChunk() { return chunk }
            self.state = nil
        }
    }

    private func open(_ segment: CorpusPartition.Segment) throws(IngotError) -> SegmentState {
        let file = try InputFile(path: segment.file.path)
        let decoder: (any StreamDecoder)?
        do throws(CompressionError) {
            switch segment.file.format {
            case .jsonl, .text: decoder = nil
            case .jsonlZstd: decoder = try ZstdStreamDecoder()
            case .jsonlGzip: decoder = try GzipStreamDecoder()
            }
        } catch {
            throw IngotError(.compression, "cannot decode '\(segment.file.path)'", cause: error)
        }
        return SegmentState(segment: segment, file: file, decoder: decoder, offset: segment.range.lowerBound, pendingLine: segment.firstLine)
    }

    /// Reads until a chunk is ready; nil when the current segment is done.
    private mutating func readChunk() throws(IngotError) -> CorpusChunk? {
        guard var state = self.state else { return nil }
        defer { self.state = state }
        let segment = state.segment
        let wholeFileChunks = segment.file.format == .text

        while !state.exhausted {
            if !wholeFileChunks && state.pending.count >= self.chunkBytes,
                let cut = Self.lastNewline(in: state.pending)
            {
                return Self.emit(&state, upTo: cut + 1, failure: nil)
            }
            let remaining = segment.range.upperBound - state.offset
            let want = min(self.chunkBytes, remaining)
            if want <= 0 {
                state.exhausted = true
                break
            }
            if var decoder = state.decoder {
                var raw: [UInt8] = []
                let n = try state.file.read(at: state.offset, count: want, appendingTo: &raw)
                if n == 0 {
                    // The file shrank while we read it.
                    state.exhausted = true
                    break
                }
                state.offset += n
                state.inputBytesNotReported += n
                var pending = state.pending
                state.pending = []
                let failure = raw.withUnsafeBytes { buffer -> CompressionError? in
                    do throws(CompressionError) {
                        try decoder.decode(buffer, into: &pending)
                        return nil
                    } catch {
                        return error
                    }
                }
                state.pending = pending
                state.decoder = decoder
                if let failure {
                    return try self.fail(&state, failure)
                }
            } else {
                let n = try state.file.read(at: state.offset, count: want, appendingTo: &state.pending)
                if n == 0 {
                    state.exhausted = true
                    break
                }
                state.offset += n
                state.inputBytesNotReported += n
            }
        }

        if var decoder = state.decoder {
            state.decoder = nil
            do throws(CompressionError) {
                try decoder.finish()
            } catch {
                return try self.fail(&state, error)
            }
        }
        guard !state.pending.isEmpty || state.inputBytesNotReported > 0 else { return nil }
        if !state.producedAny && state.pending.isEmpty && segment.isWholeFile {
            // A compressed file that decodes to nothing.
            return Self.emit(&state, upTo: 0, failure: (.emptyFile, 0))
        }
        return Self.emit(&state, upTo: state.pending.count, failure: nil)
    }

    /// Ends the segment with a decoding failure: emits the complete lines decoded so far and
    /// attaches the failure at the line where decoding stopped.
    private func fail(_ state: inout SegmentState, _ error: CompressionError) throws(IngotError) -> CorpusChunk {
        state.exhausted = true
        state.decoder = nil
        let cut = Self.lastNewline(in: state.pending).map { $0 + 1 } ?? 0
        let lines = Self.countNewlines(state.pending, upTo: cut)
        let reason: SkipReason =
            error.kind == .truncated
            ? .truncated("\(error.message)")
            : SkipReason(key: "corrupt_file", detail: "corrupt compressed data: \(error.message)")
        let chunk = Self.emit(&state, upTo: cut, failure: (reason, state.pendingLine + lines))
        state.pending.removeAll()  // the incomplete tail is part of the failure
        return chunk
    }

    private static func emit(
        _ state: inout SegmentState,
        upTo end: Int,
        failure: (reason: SkipReason, line: Int)?
    ) -> CorpusChunk {
        let bytes = Array(state.pending[0..<end])
        state.pending.removeFirst(end)
        let chunk = CorpusChunk(
            bytes: bytes, path: state.segment.file.path, format: state.segment.file.format,
            firstLine: state.pendingLine, inputBytes: state.inputBytesNotReported, failure: failure)
        state.pendingLine += Self.countNewlines(bytes, upTo: bytes.count)
        state.inputBytesNotReported = 0
        state.producedAny = true
        return chunk
    }

    static func lastNewline(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { raw in
            var i = raw.count - 1
            while i >= 0 {
                if raw[i] == 0x0A { return i }
                i -= 1
            }
            return nil
        }
    }

    static func countNewlines(_ bytes: [UInt8], upTo end: Int) -> Int {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return 0 }
            var count = 0
            var i = 0
            while i < end, let hit = memchr(base + i, 0x0A, end - i) {
                count += 1
                i = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return count
        }
    }
}
