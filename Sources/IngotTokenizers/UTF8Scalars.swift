/// Scalar-at-a-time reading of UTF-8 the tokenizers' hot loops need: no `Character`, no
/// validation (every text reaching a tokenizer was validated by its reader).
enum UTF8Scalars {
    /// Decodes the scalar starting at byte `i` of valid UTF-8; returns (value, length in bytes).
    @inline(__always)
    static func decode(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(text[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[i + 1]) & 0x3F, 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | (UInt32(text[i + 1]) & 0x3F) << 6 | UInt32(text[i + 2]) & 0x3F, 3)
        }
        return (
            (b0 & 0x07) << 18 | (UInt32(text[i + 1]) & 0x3F) << 12 | (UInt32(text[i + 2]) & 0x3F) << 6 | UInt32(text[i + 3])
                & 0x3F, 4
        )
    }
}
