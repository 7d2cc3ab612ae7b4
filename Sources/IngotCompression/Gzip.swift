internal import CZlib

/// Streaming gzip decompression, including files of several concatenated members (as `cat a.gz
/// b.gz` and pigz produce).
public final class GzipStreamDecoder: StreamDecoder {
    // On the heap, at a fixed address: zlib keeps a pointer back to the stream in its state and
    // refuses a stream that has moved, which a Swift stored property is free to do.
    private let stream: UnsafeMutablePointer<z_stream>
    /// True between the start of a member and its end.
    private var inMember = false
    private var sawInput = false

    public init() throws(CompressionError) {
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        // 15 + 16: a 32 KiB window and a gzip (not zlib) header.
        let status = CZlib_inflateInit2(self.stream, 15 + 16)
        guard status == Z_OK else {
            self.stream.deallocate()
            throw CompressionError(.codec, "zlib: inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(self.stream)
        self.stream.deinitialize(count: 1)
        self.stream.deallocate()
    }

    public func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CompressionError) {
        guard input.count > 0, let base = input.baseAddress else { return }
        self.sawInput = true
        var consumed = 0
        let step = 256 * 1024
        while consumed < input.count {
            if !self.inMember { self.inMember = true }
            self.stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self) + consumed)
            self.stream.pointee.avail_in = UInt32(input.count - consumed)
            let old = output.count
            output.append(contentsOf: repeatElement(0, count: step))
            let status = output.withUnsafeMutableBytes { out -> Int32 in
                self.stream.pointee.next_out = (out.baseAddress! + old).assumingMemoryBound(to: Bytef.self)
                self.stream.pointee.avail_out = UInt32(step)
                return inflate(self.stream, Z_NO_FLUSH)
            }
            let produced = step - Int(self.stream.pointee.avail_out)
            output.removeLast(step - produced)
            consumed = input.count - Int(self.stream.pointee.avail_in)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                if status == Z_BUF_ERROR && produced == 0 && self.stream.pointee.avail_in == 0 { return }
            case Z_STREAM_END:
                // Another member may follow.
                self.inMember = false
                inflateReset(self.stream)
            default:
                let message = self.stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw CompressionError(.corrupt, "gzip: \(message)")
            }
        }
    }

    public func finish() throws(CompressionError) {
        if self.inMember { throw CompressionError(.truncated, "gzip stream ends inside a member") }
        if !self.sawInput { throw CompressionError(.truncated, "gzip stream is empty") }
    }
}
