import CIngotCPU

/// An open-addressing table from token pairs to a 22-bit payload: the BPE merge lookup.
///
/// Merging a piece is mostly waiting for these lookups (each merge asks for the pairs it makes
/// with its neighbours), so a slot is a single 64-bit word, the left id, the right id and the
/// payload packed together: GPT-2's 50k merges take 1 MB at a load of 0.38, and a lookup
/// touches one cache line. Ids must be below ``idLimit`` and payloads below ``payloadLimit``
/// (``insert(contentsOf:fail:)`` refuses a file's merges beyond them); a lookup of any id at or
/// above the limit finds nothing.
///
/// For BPE the payload is the merge's rank, and the table also keeps the token each rank
/// makes: merges sharing a rank make the same token (a tiktoken token reached by several
/// splits), so ranks compare priorities and name results at once.
struct MergeTable: Sendable {
    /// Bits of an id, and the bound ids must stay below (all ones marks an empty slot).
    static let idBits: UInt64 = 21
    static let idLimit = UInt32((1 << idBits) - 1)
    /// Bits of a payload, and the bound payloads must stay below.
    static let payloadBits: UInt64 = 22
    static let payloadLimit = UInt32(1 << payloadBits)
    /// What a lookup of an absent pair returns.
    static let none = UInt32.max

    private static let empty = UInt64.max
    private static let payloadMask = (UInt64(1) << payloadBits) - 1

    private var slots: [UInt64]
    private var mask: Int
    /// The token each rank's merge makes (filled by ``insert(contentsOf:fail:)``).
    private var mergedByRank: [UInt32] = []

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        self.slots = Array(repeating: Self.empty, count: size)
        self.mask = size - 1
    }

    /// A merge: the pair of tokens it joins, its priority and the token it makes.
    struct Merge: Sendable {
        var left: UInt32
        var right: UInt32
        var rank: UInt32
        var merged: UInt32
    }

    /// Records a file's `merges` by rank, in order (where two join the same pair, the earlier
    /// wins, as with ``insert(left:right:payload:)``), and the token each rank makes. Throws
    /// `fail(...)`, recording nothing, when an id or a rank does not fit a slot. Each insert asks
    /// for its slot ``ByteKeyedTable/lookahead`` merges early: a large vocabulary's table is far
    /// bigger than the CPU's caches.
    mutating func insert(contentsOf merges: [Merge], fail: (String) -> TokenizerError) throws(TokenizerError) {
        let mask = self.mask
        let lookahead = ByteKeyedTable.lookahead
        var ranks = 0
        for merge in merges {
            guard max(merge.left, merge.right, merge.merged) < Self.idLimit && merge.rank < Self.payloadLimit else {
                throw fail(
                    "merge \(merge.rank) has token ids or a rank beyond what the merge table holds "
                        + "(ids below \(Self.idLimit), ranks below \(Self.payloadLimit))")
            }
            ranks = max(ranks, Int(merge.rank) + 1)
        }
        if self.mergedByRank.count < ranks { self.mergedByRank += repeatElement(0, count: ranks - self.mergedByRank.count) }
        self.slots.withUnsafeMutableBufferPointer { slots in
            self.mergedByRank.withUnsafeMutableBufferPointer { mergedByRank in
                merges.withUnsafeBufferPointer { merges in
                    for index in merges.indices {
                        if index + lookahead < merges.count {
                            let ahead = merges[index + lookahead]
                            CIngotCPU_prefetch(slots.baseAddress! + (IntegerKeyHash.slot(Self.key(ahead.left, ahead.right)) & mask))
                        }
                        let merge = merges[index]
                        if Self.place(Self.key(merge.left, merge.right), payload: merge.rank, in: slots, mask: mask) {
                            mergedByRank[Int(merge.rank)] = merge.merged
                        }
                    }
                }
            }
        }
    }

    /// Records a pair's payload unless the pair has one already (the first entry wins); returns
    /// whether it did. `left` and `right` must be below ``idLimit``, `payload` below
    /// ``payloadLimit``.
    @discardableResult
    mutating func insert(left: UInt32, right: UInt32, payload: UInt32) -> Bool {
        precondition(left < Self.idLimit && right < Self.idLimit && payload < Self.payloadLimit, "merge table entry out of range")
        let mask = self.mask
        return self.slots.withUnsafeMutableBufferPointer { slots in
            Self.place(Self.key(left, right), payload: payload, in: slots, mask: mask)
        }
    }

    /// Puts `key`'s entry in its slot unless the pair already has one; returns whether it did.
    @inline(__always)
    private static func place(_ key: UInt64, payload: UInt32, in slots: UnsafeMutableBufferPointer<UInt64>, mask: Int) -> Bool {
        var i = IntegerKeyHash.slot(key) & mask
        while slots[i] != Self.empty {
            if slots[i] >> Self.payloadBits == key { return false }
            i = (i + 1) & mask
        }
        slots[i] = key << Self.payloadBits | UInt64(payload)
        return true
    }

    @inline(__always)
    private static func key(_ left: UInt32, _ right: UInt32) -> UInt64 {
        UInt64(left) << Self.idBits | UInt64(right)
    }

    /// The pair's payload (for BPE, the rank of the merge that joins it), or ``none``.
    @inline(__always)
    func payload(_ left: UInt32, _ right: UInt32) -> UInt32 {
        guard left < Self.idLimit && right < Self.idLimit else { return Self.none }
        let key = Self.key(left, right)
        return self.slots.withUnsafeBufferPointer { slots in
            var i = IntegerKeyHash.slot(key) & self.mask
            while true {
                let slot = slots[i]
                if slot >> Self.payloadBits == key { return UInt32(truncatingIfNeeded: slot & Self.payloadMask) }
                if slot == Self.empty { return Self.none }
                i = (i + 1) & self.mask
            }
        }
    }

    /// The token the merge of rank `rank` makes (a rank a lookup returned).
    @inline(__always)
    func merged(rank: UInt32) -> UInt32 {
        self.mergedByRank.withUnsafeBufferPointer { $0[Int(rank)] }
    }
}
