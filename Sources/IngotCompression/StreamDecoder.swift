/// Incremental decompression: feed compressed bytes as they are read, collect plain bytes.
public protocol StreamDecoder {
    /// Decodes `input` entirely, appending plain bytes to `output`.
    mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(CompressionError)
    /// Declares the end of input; throws ``CompressionError/Kind/truncated`` when the stream
    /// stopped inside a frame.
    mutating func finish() throws(CompressionError)
}
