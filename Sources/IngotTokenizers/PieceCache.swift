/// An encoder's table of the pieces it has encoded, each with the value the encoder keeps for
/// it (its ids packed, or where they are), in slots of 16 bytes.
///
/// Lookups that miss ``ShortPieceCache`` land here, at a random place in a table of some 100k
/// pieces, far larger than the CPU's L2 cache: they wait on memory, and how much of the table
/// the L3 cache holds depends on its size in bytes (with two workers, two tables share one L3).
/// ``ByteKeyedTable``'s 32-byte slots (hash, prefix, offset and length, value) made a 120k-piece
/// table 8 MB; here it is 4 MB.
///
/// A slot is a key word and the value. A piece of 2 to 7 bytes is its own key word (its bytes and
/// its length: ``ShortPieceCache/key(_:)``), matched by one compare. A longer piece's key word
/// holds its length, 24 bits of its hash and where its bytes start in `arena`, which is read
/// only when length and hash bits match. Either kind has its length in the top byte (2-7 for
/// the first, 8 or more for the second), so the kinds never match each other, and a key word is
/// never 0, which marks an empty slot.
struct PieceCache: Sendable {
    private struct Slot: Sendable {
        var key: UInt64
        var value: UInt64
    }

    /// The longest piece the table takes: its length must fit the key word's top byte.
    static let maximumPieceLength = 255

    private var slots: [Slot]
    private var arena: [UInt8] = []
    /// `64 - log2(slots.count)`: a slot index is the top bits of a hash.
    private var shift: UInt64
    private(set) var count = 0

    /// The key word's bits a long piece's lookup knows before finding its slot: length and hash.
    private static let longKeyMask: UInt64 = 0xFFFF_FFFF_0000_0000

    /// An empty table of 16 slots.
    init() {
        self.slots = Array(repeating: Slot(key: 0, value: 0), count: 16)
        self.shift = 60
    }

    /// The value stored for `piece` (2 to ``maximumPieceLength`` bytes), if any; `shortKey` is
    /// its ``ShortPieceCache/key(_:)``.
    @inline(__always)
    func find(_ piece: UnsafeBufferPointer<UInt8>, shortKey: UInt64) -> UInt64? {
        self.slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            if shortKey != 0 {
                var i = Self.index(Self.mix(shortKey), self.shift)
                while true {
                    let slot = slots[i]
                    if slot.key == shortKey { return slot.value }
                    if slot.key == 0 { return nil }
                    i = (i + 1) & mask
                }
            }
            let h = ByteKeyedTable.hash(piece)
            let known = Self.longKeyHigh(length: piece.count, hash: h)
            return self.arena.withUnsafeBufferPointer { arena in
                var i = Self.index(h, self.shift)
                while true {
                    let slot = slots[i]
                    if slot.key & Self.longKeyMask == known
                        && bytesEqual(arena.baseAddress! + Int(truncatingIfNeeded: slot.key & 0xFFFF_FFFF), piece.baseAddress!, piece.count)
                    {
                        return slot.value
                    }
                    if slot.key == 0 { return nil }
                    i = (i + 1) & mask
                }
            }
        }
    }

    /// Records `value` for `piece`, which ``find(_:shortKey:)`` has just not found.
    mutating func insert(_ piece: UnsafeBufferPointer<UInt8>, shortKey: UInt64, value: UInt64) {
        precondition(piece.count >= 2 && piece.count <= Self.maximumPieceLength && self.arena.count < 1 << 32)
        if (self.count + 1) * 2 > self.slots.count { self.grow() }
        let key: UInt64
        let h: UInt64
        if shortKey != 0 {
            key = shortKey
            h = Self.mix(shortKey)
        } else {
            h = ByteKeyedTable.hash(piece)
            key = Self.longKeyHigh(length: piece.count, hash: h) | UInt64(self.arena.count)
            self.arena.append(contentsOf: piece)
        }
        self.place(Slot(key: key, value: value), hash: h)
        self.count += 1
    }

    /// Forgets every piece, keeping the memory.
    mutating func removeAll() {
        self.slots.withUnsafeMutableBufferPointer { $0.update(repeating: Slot(key: 0, value: 0)) }
        self.arena.removeAll(keepingCapacity: true)
        self.count = 0
    }

    private mutating func place(_ slot: Slot, hash h: UInt64) {
        let shift = self.shift
        self.slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var i = Self.index(h, shift)
            while slots[i].key != 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }

    private mutating func grow() {
        let old = self.slots
        self.slots = Array(repeating: Slot(key: 0, value: 0), count: old.count * 2)
        self.shift -= 1
        for slot in old where slot.key != 0 {
            self.place(slot, hash: self.hash(ofKey: slot.key))
        }
    }

    /// The hash a stored key word was placed by: its own mix for a short piece, its bytes' hash
    /// for a long one.
    private func hash(ofKey key: UInt64) -> UInt64 {
        let length = Int(key >> 56)
        guard length >= 8 else { return Self.mix(key) }
        return self.arena.withUnsafeBufferPointer { arena in
            ByteKeyedTable.hash(UnsafeBufferPointer(rebasing: arena[Int(truncatingIfNeeded: key & 0xFFFF_FFFF)...].prefix(length)))
        }
    }

    @inline(__always)
    private static func mix(_ key: UInt64) -> UInt64 {
        key &* 0x9E37_79B9_7F4A_7C15
    }

    @inline(__always)
    private static func index(_ h: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: h >> shift)
    }

    /// A long piece's length and 24 of its hash's bits (not those that pick its slot), placed as
    /// in its key word.
    @inline(__always)
    private static func longKeyHigh(length: Int, hash h: UInt64) -> UInt64 {
        UInt64(truncatingIfNeeded: length) << 56 | (h >> 1 & 0xFF_FFFF) << 32
    }
}
