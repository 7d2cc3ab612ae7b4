import CIngotCPU
import Synchronization

/// The pieces a tokenizer's encoders have encoded, each with the value an encoder keeps for it
/// (its ids packed, or where they are in the cache's id arena), shared by all of them.
///
/// One table for every worker: a piece is merged once per process rather than once per worker
/// (two workers on 20 MB of English merged 155k pieces where one worker merged 120k), and the
/// workers' cores share one table in their common L3 cache instead of one table each.
///
/// A slot is two words, a key and a value. A piece of 2 to 7 bytes is its own key word (its bytes
/// and its length: ``ShortPieceCache/key(_:)``), matched by one compare. A longer piece's key
/// word holds its length, 24 bits of its hash and where its bytes start in the byte arena, which
/// is read only when length and hash bits match. Either kind has its length in the top byte (2-7
/// for the first, 8 or more for the second), so the kinds never match each other, and a key word
/// is never 0, which marks an empty slot. Values are never 0 either.
///
/// Entries are only ever added, without locks:
/// - An insert claims an empty slot by a compare-and-swap of its key word, then stores the value
///   (release). A long piece's bytes are in the arena before its key word is published, and a
///   value's ids before the value. A reader that finds a key whose value is still 0 takes it as
///   a miss (and merges the piece itself).
/// - The encoder that finds the table half full copies it into one twice the size and publishes
///   that. Meanwhile the others go on with the old one, and what they add there after the copy
///   passed is lost: it is merged again when next seen. Old tables stay until the cache goes,
///   since a reader may still be in one.
/// - Each encoder counts its inserts and reserves arena space in blocks (``Writer``), so that the
///   shared count and arena ends are not handed between cores on every insert.
///
/// At ``entryLimit`` pieces (a few more when several encoders insert at once) the cache takes no
/// more, as HuggingFace's BPE cache stops at its capacity: by then it holds the pieces a corpus
/// uses most, and each encoder's ``ShortPieceCache`` still follows the text.
final class PieceCache: @unchecked Sendable {  // shared words are only accessed atomically
    /// The longest piece the table takes: its length must fit the key word's top byte.
    static let maximumPieceLength = 255
    /// The most pieces a cache takes by default (a table of at most 8 MB).
    static let defaultEntryLimit = 1 << 18
    /// The most pieces this cache takes.
    let entryLimit: Int

    /// An encoder's share of the cache's bookkeeping: inserts not yet added to the shared count,
    /// and the unused rest of the arena blocks it reserved. Meaningful for one cache only.
    struct Writer: Sendable {
        fileprivate var uncounted = 0
        fileprivate var bytes = 0..<0
        fileprivate var ids = 0..<0

        init() {}
    }

    /// One generation of the table.
    private struct Table {
        /// Key and value of each slot, side by side.
        let words: UnsafeMutablePointer<UInt64>
        let slotCount: Int
        /// `64 - log2(slotCount)`: a slot index is the top bits of a hash.
        let shift: UInt64

        init(slotCount: Int) {
            self.words = .allocate(capacity: 2 * slotCount)
            self.words.initialize(repeating: 0, count: 2 * slotCount)
            self.slotCount = slotCount
            self.shift = UInt64(64 - slotCount.trailingZeroBitCount)
        }
    }

    private static let maximumSlots = 2 * defaultEntryLimit
    private static let maximumGenerations = 32
    /// The most inserts a writer keeps uncounted, and the share of the table's slots they may
    /// be at most (1/1024): with 256 encoders the table is at most a quarter fuller than counted.
    private static let countBatch = 64
    private static let countBatchShift = 10
    private static let byteBlock = 16 << 10
    private static let idBlock = 4 << 10
    private static let byteCapacity = 16 << 20
    private static let idCapacity = 4 << 20

    private let tables: UnsafeMutablePointer<Table>
    private let current = Atomic<Int>(0)
    private let growing = Atomic<Bool>(false)
    private let counted = Atomic<Int>(0)
    /// Long pieces' bytes, and the ids of results longer than two ids: address space reserved
    /// up front (only the pages written to take memory), handed out in blocks.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let bytesReserved = Atomic<Int>(0)
    private let ids: UnsafeMutablePointer<UInt32>
    private let idsReserved = Atomic<Int>(0)

    /// The key word's bits a long piece's lookup knows before finding its slot: length and hash.
    private static let longKeyMask: UInt64 = 0xFFFF_FFFF_0000_0000

    /// An empty cache whose table starts at `initialSlots` (a power of two).
    init(initialSlots: Int = 1 << 12, entryLimit: Int = PieceCache.defaultEntryLimit) {
        precondition(initialSlots >= 16 && initialSlots.nonzeroBitCount == 1 && initialSlots <= Self.maximumSlots)
        precondition(entryLimit > 0 && entryLimit <= Self.defaultEntryLimit)
        self.entryLimit = entryLimit
        self.tables = .allocate(capacity: Self.maximumGenerations)
        self.tables.initialize(to: Table(slotCount: initialSlots))
        self.bytes = .allocate(capacity: Self.byteCapacity)
        self.ids = .allocate(capacity: Self.idCapacity)
    }

    deinit {
        for generation in 0...self.current.load(ordering: .acquiring) {
            self.tables[generation].words.deallocate()
        }
        self.tables.deallocate()
        self.bytes.deallocate()
        self.ids.deallocate()
    }

    /// About how many pieces the cache holds.
    var count: Int { self.counted.load(ordering: .relaxed) }

    // MARK: Lookups

    /// The value stored for `piece` (2 to ``maximumPieceLength`` bytes), if any; `shortKey` is
    /// its ``ShortPieceCache/key(_:)``.
    @inline(__always)
    func find(_ piece: UnsafeBufferPointer<UInt8>, shortKey: UInt64) -> UInt64? {
        let table = self.tables[self.current.load(ordering: .acquiring)]
        let mask = table.slotCount - 1
        if shortKey != 0 {
            var i = Self.index(Self.mix(shortKey), table.shift)
            for _ in 0..<table.slotCount {
                let key = CIngotCPU_loadAcquire(table.words + 2 * i)
                if key == shortKey { return Self.value(table, i) }
                if key == 0 { return nil }
                i = (i + 1) & mask
            }
            return nil
        }
        let h = ByteKeyedTable.hash(piece)
        let known = Self.longKeyHigh(length: piece.count, hash: h)
        var i = Self.index(h, table.shift)
        for _ in 0..<table.slotCount {
            let key = CIngotCPU_loadAcquire(table.words + 2 * i)
            if key & Self.longKeyMask == known && bytesEqual(self.bytes + Self.offset(key), piece.baseAddress!, piece.count) {
                return Self.value(table, i)
            }
            if key == 0 { return nil }
            i = (i + 1) & mask
        }
        return nil
    }

    /// The `count` ids stored at `start` by ``store(_:writer:)``.
    @inline(__always)
    func ids(at start: Int, count: Int) -> UnsafeBufferPointer<UInt32> {
        UnsafeBufferPointer(start: self.ids + start, count: count)
    }

    @inline(__always)
    private static func value(_ table: Table, _ i: Int) -> UInt64? {
        let value = CIngotCPU_loadAcquire(table.words + 2 * i + 1)
        return value == 0 ? nil : value
    }

    // MARK: Inserts

    /// Copies `ids` into the id arena for a value to point at; returns where they start, or nil
    /// when the arena is full.
    func store(_ ids: UnsafeBufferPointer<UInt32>, writer: inout Writer) -> Int? {
        guard !ids.isEmpty else { return 0 }
        guard let start = Self.take(ids.count, from: &writer.ids, block: Self.idBlock, reserved: self.idsReserved, capacity: Self.idCapacity)
        else { return nil }
        (self.ids + start).update(from: ids.baseAddress!, count: ids.count)
        return start
    }

    /// Records `value` (not 0) for `piece`, which ``find(_:shortKey:)`` has just not found,
    /// unless the cache is full or another encoder has just recorded it.
    func insert(_ piece: UnsafeBufferPointer<UInt8>, shortKey: UInt64, value: UInt64, writer: inout Writer) {
        precondition(piece.count >= 2 && piece.count <= Self.maximumPieceLength && value != 0)
        let generation = self.current.load(ordering: .acquiring)
        let table = self.tables[generation]
        guard self.count + writer.uncounted < min(self.entryLimit, table.slotCount / 4 * 3) else { return }
        let mask = table.slotCount - 1
        let h = shortKey != 0 ? Self.mix(shortKey) : ByteKeyedTable.hash(piece)
        let known = shortKey != 0 ? shortKey : Self.longKeyHigh(length: piece.count, hash: h)
        var key: UInt64 = 0  // a long piece's, once its bytes are in the arena
        var i = Self.index(h, table.shift)
        for _ in 0..<table.slotCount {
            let slot = table.words + 2 * i
            var seen = CIngotCPU_loadAcquire(slot)
            if seen == 0 {
                if key == 0 {
                    if shortKey != 0 {
                        key = shortKey
                    } else {
                        let reserved = Self.take(
                            piece.count, from: &writer.bytes, block: Self.byteBlock, reserved: self.bytesReserved, capacity: Self.byteCapacity)
                        guard let offset = reserved else { return }
                        (self.bytes + offset).update(from: piece.baseAddress!, count: piece.count)
                        key = known | UInt64(offset)
                    }
                }
                seen = CIngotCPU_compareExchange(slot, 0, key)
                if seen == 0 {
                    CIngotCPU_storeRelease(slot + 1, value)
                    self.count(&writer, generation: generation, slotCount: table.slotCount)
                    return
                }
            }
            // Another encoder's entry for this piece: nothing to add.
            if shortKey != 0 ? seen == shortKey : seen & Self.longKeyMask == known && bytesEqual(self.bytes + Self.offset(seen), piece.baseAddress!, piece.count) {
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Adds an insert to the count, now or with the writer's next batch, and grows the table
    /// when it is half full.
    private func count(_ writer: inout Writer, generation: Int, slotCount: Int) {
        writer.uncounted += 1
        guard writer.uncounted >= min(Self.countBatch, slotCount >> Self.countBatchShift) else { return }
        let total = self.counted.wrappingAdd(writer.uncounted, ordering: .relaxed).newValue
        writer.uncounted = 0
        if total * 2 > slotCount { self.grow(from: generation) }
    }

    /// A range of `count` elements from the writer's block, taking a new block from the arena
    /// when the block is used up; nil when the arena is, or when `count` exceeds a block.
    private static func take(_ count: Int, from block: inout Range<Int>, block size: Int, reserved: borrowing Atomic<Int>, capacity: Int) -> Int? {
        guard count <= size else { return nil }
        if block.count < count {
            let start = reserved.wrappingAdd(size, ordering: .relaxed).oldValue
            guard start + size <= capacity else { return nil }
            block = start..<(start + size)
        }
        defer { block = (block.lowerBound + count)..<block.upperBound }
        return block.lowerBound
    }

    // MARK: Growing

    /// Publishes a table twice the size of generation `generation`'s holding its entries, unless
    /// another encoder is doing so or has done so.
    private func grow(from generation: Int) {
        let old = self.tables[generation]
        guard old.slotCount < Self.maximumSlots && generation + 1 < Self.maximumGenerations else { return }
        guard self.growing.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        defer { self.growing.store(false, ordering: .releasing) }
        guard self.current.load(ordering: .acquiring) == generation else { return }
        let new = Table(slotCount: old.slotCount * 2)
        let mask = new.slotCount - 1
        var copied = 0
        for i in 0..<old.slotCount {
            let key = CIngotCPU_loadAcquire(old.words + 2 * i)
            guard key != 0, let value = Self.value(old, i) else { continue }
            // The new table is not published yet: plain stores.
            var j = Self.index(self.hash(ofKey: key), new.shift)
            while new.words[2 * j] != 0 { j = (j + 1) & mask }
            new.words[2 * j] = key
            new.words[2 * j + 1] = value
            copied += 1
        }
        (self.tables + generation + 1).initialize(to: new)
        self.counted.store(copied, ordering: .relaxed)
        self.current.store(generation + 1, ordering: .releasing)
    }

    /// The hash a stored key word was placed by: its own mix for a short piece, its bytes' hash
    /// for a long one.
    private func hash(ofKey key: UInt64) -> UInt64 {
        let length = Int(key >> 56)
        guard length >= 8 else { return Self.mix(key) }
        return ByteKeyedTable.hash(UnsafeBufferPointer(start: self.bytes + Self.offset(key), count: length))
    }

    // MARK: Key words

    @inline(__always)
    private static func mix(_ key: UInt64) -> UInt64 {
        key &* 0x9E37_79B9_7F4A_7C15
    }

    @inline(__always)
    private static func index(_ h: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: h >> shift)
    }

    /// Where a long piece's bytes start in the byte arena.
    @inline(__always)
    private static func offset(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
    }

    /// A long piece's length and 24 of its hash's bits (not those that pick its slot), placed as
    /// in its key word.
    @inline(__always)
    private static func longKeyHigh(length: Int, hash h: UInt64) -> UInt64 {
        UInt64(truncatingIfNeeded: length) << 56 | (h >> 1 & 0xFF_FFFF) << 32
    }
}
