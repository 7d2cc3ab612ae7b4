/// A direct-mapped cache of the ids of short pieces (2 to 7 bytes: most pieces of English text),
/// in front of the encoder's piece table.
///
/// The piece table (``PieceCache``) holds up to 262k pieces in 16-byte slots, far beyond the
/// CPU's L2 cache, and each lookup probes it; here 8,192 entries of 16 bytes (128 KB) stay in
/// L2, and a key holds the whole piece and its length, so a hit is one load and one compare. A
/// colliding piece replaces the entry: values are what the model computes from the piece, never
/// stale.
struct ShortPieceCache: Sendable {
    private struct Entry: Sendable {
        var key: UInt64  // 0: empty
        var value: UInt64
    }

    private static let indexBits: UInt64 = 13
    private var entries = [Entry](repeating: Entry(key: 0, value: 0), count: 1 << Int(indexBits))

    /// The key of a piece of 2 to 7 bytes (its bytes, little-endian, with its length in the top
    /// byte), or 0 for any other piece.
    @inline(__always)
    static func key(_ piece: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard piece.count >= 2 && piece.count <= 7 else { return 0 }
        var word = UInt64(piece.count) << 56
        var i = 0
        while i < piece.count {
            word |= UInt64(piece[i]) << (8 * UInt64(i))
            i += 1
        }
        return word
    }

    @inline(__always)
    private static func index(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - Self.indexBits))
    }

    /// The value stored for `key` (non-zero), if any.
    @inline(__always)
    func find(_ key: UInt64) -> UInt64? {
        self.entries.withUnsafeBufferPointer { entries in
            let entry = entries[Self.index(key)]
            return entry.key == key ? entry.value : nil
        }
    }

    @inline(__always)
    mutating func insert(_ key: UInt64, value: UInt64) {
        self.entries.withUnsafeMutableBufferPointer { $0[Self.index(key)] = Entry(key: key, value: value) }
    }
}
