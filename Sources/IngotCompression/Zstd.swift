internal import CZstd

/// One-shot zstd frames, as the shard readers use them.
public enum Zstd {
    /// The libzstd version linked, e.g. "1.5.4".
    public static var version: String {
        String(cString: ZSTD_versionString())
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

/// A zstd compression context, reused for every frame a shard writer compresses: allocating a
/// context (and its match tables) per frame costs more than compressing a small frame.
///
/// Every frame records its content size and an XXH64 checksum, so every reader can detect
/// corruption. Reusing the context does not change the bytes: each call starts a new frame.
public final class ZstdCompressor {
    private let cctx: OpaquePointer
    public let level: Int32
    /// The match-table size the context is set to: nil is zstd's own choice for the level and
    /// the frame's size.
    private var matchTableLog: Int32?

    public init(level: Int32) throws(CompressionError) {
        guard let cctx = ZSTD_createCCtx() else { throw CompressionError(.codec, "zstd: cannot allocate a compression context") }
        self.cctx = cctx
        self.level = level
        do throws(CompressionError) {
            try Zstd.check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level))
            try Zstd.check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))
            try Zstd.check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1))
        } catch {
            ZSTD_freeCCtx(cctx)
            throw error
        }
    }

    deinit {
        ZSTD_freeCCtx(self.cctx)
    }

    /// Compresses `input` into one frame.
    ///
    /// - Parameter matchTableLog: log2 of the entries of the match finder's hash and chain
    ///   tables, instead of zstd's choice for the level and `input`'s size. Smaller tables find
    ///   fewer matches and stay in a core's cache; the frame decodes the same way either way.
    public func compress(_ input: UnsafeRawBufferPointer, matchTableLog: Int32? = nil) throws(CompressionError) -> [UInt8] {
        if matchTableLog != self.matchTableLog {
            // 0 restores zstd's choice; the parameters hold for every later frame of the context.
            try Zstd.check(ZSTD_CCtx_setParameter(self.cctx, ZSTD_c_hashLog, matchTableLog ?? 0))
            try Zstd.check(ZSTD_CCtx_setParameter(self.cctx, ZSTD_c_chainLog, matchTableLog ?? 0))
            self.matchTableLog = matchTableLog
        }
        let bound = ZSTD_compressBound(input.count)
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            written = ZSTD_compress2(self.cctx, buffer.baseAddress, bound, input.baseAddress, input.count)
            count = ZSTD_isError(written) != 0 ? 0 : written
        }
        try Zstd.check(written)
        return output
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
