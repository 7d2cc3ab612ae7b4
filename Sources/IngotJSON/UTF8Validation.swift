/// Strict UTF-8 validation over raw bytes (no overlongs, no surrogates, nothing above U+10FFFF),
/// with an 8-bytes-at-a-time ASCII fast path: corpora are mostly ASCII.
public enum UTF8Validation {
    /// The offset of the first byte that does not start or continue a valid scalar, or `nil`
    /// when the whole buffer is valid.
    public static func firstInvalidOffset(in bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        var i = 0
        while i < count {
            // Skip ASCII eight bytes at a time.
            while i + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            if i >= count { break }
            let b0 = base.load(fromByteOffset: i, as: UInt8.self)
            if b0 < 0x80 {
                i += 1
                continue
            }
            let need: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F  // excludes UTF-16 surrogates
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F  // nothing above U+10FFFF
            default: return i
            }
            guard i + need < count else { return i }
            let b1 = base.load(fromByteOffset: i + 1, as: UInt8.self)
            guard b1 >= lower && b1 <= upper else { return i }
            for k in 2..<(need + 1) where k <= need {
                let b = base.load(fromByteOffset: i + k, as: UInt8.self)
                guard b & 0xC0 == 0x80 else { return i }
            }
            i += need + 1
        }
        return nil
    }

    /// Whether the buffer is valid UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        self.firstInvalidOffset(in: bytes) == nil
    }
}
