internal import CZstd

/// One-shot zstd frames, as the shard writer and readers use them.
public enum Zstd {
    /// The libzstd version linked, e.g. "1.5.4".
    public static var version: String {
        String(cString: ZSTD_versionString())
    }

    /// Compresses `input` into one frame that records its content size and an XXH64 checksum,
    /// so every reader can detect corruption.
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32) throws(CompressionError) -> [UInt8] {
        guard let cctx = ZSTD_createCCtx() else { throw CompressionError(.codec, "zstd: cannot allocate a compression context") }
        defer { ZSTD_freeCCtx(cctx) }
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level))
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1))
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compress2(cctx, out.baseAddress, out.count, input.baseAddress, input.count)
        }
        try check(written)
        output.removeLast(bound - written)
        return output
    }

    /// Decompresses exactly one frame whose content size is `expectedSize`, verifying its checksum.
    public static func decompressFrame(_ frame: UnsafeRawBufferPointer, expectedSize: Int) throws(CompressionError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize)
        let n = output.withUnsafeMutableBytes { out in
            ZSTD_decompress(out.baseAddress, out.count, frame.baseAddress, frame.count)
        }
        try check(n)
        guard n == expectedSize else {
            throw CompressionError(.corrupt, "zstd frame decoded to \(n) bytes, expected \(expectedSize)")
        }
        return output
    }

    @inline(__always)
    static func check(_ code: Int) throws(CompressionError) {
        if ZSTD_isError(code) != 0 {
            let name = String(cString: ZSTD_getErrorName(code))
            let kind: CompressionError.Kind =
                switch ZSTD_getErrorCode(code) {
                case ZSTD_error_srcSize_wrong: .truncated
                case ZSTD_error_memory_allocation, ZSTD_error_parameter_unsupported, ZSTD_error_parameter_outOfBound: .codec
                default: .corrupt
                }
            throw CompressionError(kind, "zstd: \(name)")
        }
    }
}

/// Streaming zstd decompression of any number of concatenated frames (a `.jsonl.zst` file).
public final class ZstdStreamDecoder: StreamDecoder {
    private let dctx: OpaquePointer
    /// libzstd's hint after the last call: 0 exactly when a frame just ended.
    private var pending = 0
    private var sawInput = false

    public init() throws(CompressionError) {
        guard let dctx = ZSTD_createDCtx() else { throw CompressionError(.codec, "zstd: cannot allocate a decompression context") }
        self.dctx = dctx
    }

    deinit {
        ZSTD_freeDCtx(self.dctx)
    }

    public func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CompressionError) {
        guard input.count > 0 else { return }
        self.sawInput = true
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        let step = ZSTD_DStreamOutSize()
        while inBuffer.pos < inBuffer.size || self.pending > 0 {
            let old = output.count
            output.append(contentsOf: repeatElement(0, count: step))
            var produced = 0
            let hint = output.withUnsafeMutableBytes { out -> Int in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress! + old, size: step, pos: 0)
                let hint = ZSTD_decompressStream(self.dctx, &outBuffer, &inBuffer)
                produced = outBuffer.pos
                return hint
            }
            output.removeLast(step - produced)
            try Zstd.check(hint)
            self.pending = hint
            // Input consumed and the decoder made no progress: it needs more input.
            if inBuffer.pos == inBuffer.size && produced < step { break }
        }
    }

    public func finish() throws(CompressionError) {
        if self.pending != 0 {
            throw CompressionError(.truncated, "zstd stream ends inside a frame")
        }
        if !self.sawInput {
            throw CompressionError(.truncated, "zstd stream is empty")
        }
    }
}
