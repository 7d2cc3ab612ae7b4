internal import CLZ4
internal import CSnappy

/// Whole-buffer decompression for codecs that compress blocks rather than streams (Parquet
/// pages), given the decompressed size the container records. A result of any other size is
/// an error: the container and the data disagree.
public enum BlockCodec: Sendable {
    case snappy, lz4Raw, gzip, zstd

    public func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws(CompressionError) -> [UInt8] {
        guard expectedSize >= 0 else { throw CompressionError(.corrupt, "negative decompressed size") }
        var output: [UInt8]
        switch self {
        case .snappy:
            var length = 0
            guard let base = input.baseAddress.map({ $0.assumingMemoryBound(to: CChar.self) }),
                snappy_uncompressed_length(base, input.count, &length) == SNAPPY_OK, length == expectedSize
            else { throw CompressionError(.corrupt, "snappy: not a valid block of \(expectedSize) bytes") }
            // Written whole by the decoder: no zero-filling first.
            var ok = false
            output = [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, count in
                var produced = expectedSize
                ok = expectedSize == 0 || snappy_uncompress(base, input.count, UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), &produced) == SNAPPY_OK
                ok = ok && produced == expectedSize
                count = ok ? expectedSize : 0
            }
            guard ok else { throw CompressionError(.corrupt, "snappy: corrupt block") }
        case .lz4Raw:
            guard input.count <= Int(Int32.max), expectedSize <= Int(Int32.max) else { throw CompressionError(.codec, "lz4: block too large") }
            var produced: Int32 = -1
            output = [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, count in
                produced = expectedSize == 0 && input.isEmpty ? 0 : LZ4_decompress_safe(
                    input.baseAddress?.assumingMemoryBound(to: CChar.self), UnsafeMutableRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self),
                    Int32(input.count), Int32(expectedSize))
                count = produced >= 0 ? Int(produced) : 0
            }
            guard produced >= 0 else { throw CompressionError(.corrupt, "lz4: corrupt block") }
        case .gzip:
            output = []
            output.reserveCapacity(expectedSize)
            let decoder = try GzipStreamDecoder()
            try decoder.decode(input, into: &output)
            try decoder.finish()
        case .zstd:
            output = []
            output.reserveCapacity(expectedSize)
            let decoder = try ZstdStreamDecoder()
            try decoder.decode(input, into: &output)
            try decoder.finish()
        }
        guard output.count == expectedSize else {
            throw CompressionError(.corrupt, "decompressed to \(output.count) bytes, expected \(expectedSize)")
        }
        return output
    }
}
