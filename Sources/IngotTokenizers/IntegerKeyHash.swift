/// Where an integer key's probe starts in a power-of-two open-addressing table (the merge table,
/// the prefix trie's edges): the caller masks the result to its size.
enum IntegerKeyHash {
    /// The key times 2^64/φ with its high half folded into the low bits a mask keeps, so keys that
    /// differ only in their high bits (a pair's left id, an edge's node) still start apart.
    @inline(__always)
    static func slot(_ key: UInt64) -> Int {
        let h = key &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h ^ h >> 32)
    }
}
