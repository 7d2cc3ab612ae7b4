import CIngotCPU
import Dispatch
import Foundation

/// An open-addressing hash table from byte strings to 64-bit values, with keys stored in one
/// arena: no allocation per key, no `String` on the lookup path. A key's first 8 bytes are kept
/// in its slot as well, so keys of up to 8 bytes (most tokens) are compared without
/// touching the arena: one memory access per lookup.
struct ByteKeyedTable: Sendable {
    private struct Slot: Sendable {
        var hash: UInt64  // 0 marks an empty slot
        var prefix: UInt64  // the first min(8, length) bytes, little-endian, zero-padded
        var offset: UInt32
        var length: UInt32
        var value: UInt64
    }

    private static let emptySlot = Slot(hash: 0, prefix: 0, offset: 0, length: 0, value: 0)

    @inline(__always)
    static func prefix(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if key.count >= 8 { return UnsafeRawPointer(key.baseAddress!).loadUnaligned(as: UInt64.self) }
        var word: UInt64 = 0
        var i = 0
        while i < key.count {
            word |= UInt64(key[i]) << (8 * UInt64(i))
            i += 1
        }
        return word
    }

    private var slots: [Slot]
    private var arena: [UInt8] = []
    private(set) var count = 0
    private var mask: Int

    init(minimumCapacity: Int = 16) {
        let capacity = Self.capacity(forMinimum: minimumCapacity)
        self.slots = Array(repeating: Self.emptySlot, count: capacity)
        self.mask = capacity - 1
    }

    /// A table of keys laid end to end in `arena`, built at once: key `i` is the bytes from the
    /// previous key's end to `ends[i]`, mapped to `values[i]` (a later equal key replaces the
    /// value, as ``insert(_:value:)`` does). The table keeps `arena` as its own, uncopied.
    ///
    /// A large table is built on every core (it is on the critical path of every start): the
    /// slots are cut into one span per core, and each core clears its span (its share of the
    /// page faults) and places the keys whose probe starts there. A key whose probe would run
    /// past its span is placed afterwards, in key order, on the calling thread. Any order of
    /// placing gives a valid linear-probing table; equal keys start at the same slot, so they
    /// stay in key order and the later one wins.
    ///
    /// Each key asks for its slot ``lookahead`` keys before it is placed: a large vocabulary's
    /// table is far bigger than the CPU's caches, and each insert would otherwise wait for its
    /// own miss.
    ///
    /// - Parameter onEveryCore: false to build on the calling thread alone (inside another
    ///   parallel loop, where libdispatch would run this one's parts one after another anyway).
    init(keysIn arena: [UInt8], ends: [UInt32], values: [UInt64], onEveryCore: Bool = true) {
        precondition(ends.count == values.count && ends.last.map { Int($0) <= arena.count } ?? true)
        let capacity = Self.capacity(forMinimum: ends.count)
        let parts = !onEveryCore || ends.count < Self.parallelBuildKeys ? 1 : min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
        var parted = [(count: Int, overflow: [Int])](repeating: (0, []), count: parts)
        self.slots = [Slot](unsafeUninitializedCapacity: capacity) { slots, initialized in
            arena.withUnsafeBufferPointer { arena in
                parted.withUnsafeMutableBufferPointer { parted in
                    let build = BulkBuild(slots: slots, arena: arena, parts: parted)
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let span = (capacity * part / parts)..<(capacity * (part + 1) / parts)
                        UnsafeMutableBufferPointer(rebasing: build.slots[span]).initialize(repeating: Self.emptySlot)
                        build.parts[part] = Self.place(
                            keysIn: build.arena, ends: ends, values: values, startingIn: span, wrapping: parts == 1, of: build.slots)
                    }
                }
            }
            initialized = capacity
        }
        self.mask = capacity - 1
        self.arena = arena
        self.count = parted.reduce(0) { $0 + $1.count }
        arena.withUnsafeBufferPointer { arena in
            for i in parted.flatMap(\.overflow).sorted() {
                let start = i == 0 ? 0 : Int(ends[i - 1])
                self.place(UnsafeBufferPointer(rebasing: arena[start..<Int(ends[i])]), at: UInt32(start), value: values[i])
            }
        }
    }

    /// What the parts of a bulk build share: each writes only the slots of its own span and its
    /// own entry of `parts`, and the arena is only read.
    private struct BulkBuild: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<Slot>
        let arena: UnsafeBufferPointer<UInt8>
        let parts: UnsafeMutableBufferPointer<(count: Int, overflow: [Int])>
    }

    /// Below this many keys a bulk build runs on the calling thread alone.
    static let parallelBuildKeys = 16_384

    private static func capacity(forMinimum minimum: Int) -> Int {
        var capacity = 16
        while capacity < minimum * 2 { capacity <<= 1 }
        return capacity
    }

    /// Places the keys whose probe starts in `span` of `slots`, in key order, and returns how
    /// many were new and the keys whose probe would leave `span` (unless `wrapping`: the span is
    /// then the whole table). Every part hashes every key once, a sequential pass over the arena,
    /// to find its own: cheap next to placing them in a table far bigger than the CPU's caches.
    /// This span's keys wait in a small ring, ``lookahead`` of them ahead of being placed, their
    /// slots asked for as they enter it.
    private static func place(
        keysIn arena: UnsafeBufferPointer<UInt8>, ends: [UInt32], values: [UInt64], startingIn span: Range<Int>, wrapping: Bool,
        of slots: UnsafeMutableBufferPointer<Slot>
    ) -> (count: Int, overflow: [Int]) {
        let mask = slots.count - 1
        func key(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: arena[(i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])])
        }
        // The next keys of this span, hashed and their slots asked for: (index, hash) at
        // `(first + k) % lookahead`; `scanned` is the first key not yet looked at.
        var ahead = [(index: Int, hash: UInt64)](repeating: (0, 0), count: Self.lookahead)
        var first = 0
        var queued = 0
        var scanned = 0
        func refill() {
            while queued < Self.lookahead && scanned < ends.count {
                let h = Self.hash(key(scanned))
                let home = Int(truncatingIfNeeded: h) & mask
                if wrapping || span.contains(home) {
                    CIngotCPU_prefetch(slots.baseAddress! + home)
                    ahead[(first + queued) % Self.lookahead] = (scanned, h)
                    queued += 1
                }
                scanned += 1
            }
        }
        var count = 0
        var overflow: [Int] = []
        refill()
        entries: while queued > 0 {
            let (i, h) = ahead[first]
            first = (first + 1) % Self.lookahead
            queued -= 1
            refill()
            let key = key(i)
            let prefix = Self.prefix(key)
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot].hash != 0 {
                if Self.holds(slots[slot], key, hash: h, prefix: prefix, arena: arena) {
                    slots[slot].value = values[i]
                    continue entries
                }
                slot = (slot + 1) & mask
                if !wrapping && slot == span.upperBound & mask {
                    overflow.append(i)
                    continue entries
                }
            }
            let offset = key.baseAddress! - arena.baseAddress!
            slots[slot] = Slot(hash: h, prefix: prefix, offset: UInt32(offset), length: UInt32(key.count), value: values[i])
            count += 1
        }
        return (count, overflow)
    }

    /// How many keys ahead bulk builds and batched lookups ask for a slot: enough misses in
    /// flight to cover a memory access, few enough that the lines are still cached when used.
    static let lookahead = 8

    /// Asks for the cache line of the slot where a lookup of a key with hash `h` (see
    /// ``hash(_:)``) starts, ahead of its ``find(_:hash:)``.
    @inline(__always)
    func prefetchSlot(hash h: UInt64) {
        self.slots.withUnsafeBufferPointer { CIngotCPU_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: h) & self.mask)) }
    }

    /// Whether `slot` holds `key` (whose hash is `h` and prefix `prefix`), its bytes in `arena`.
    @inline(__always)
    private static func holds(
        _ slot: Slot, _ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, prefix: UInt64, arena: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        slot.hash == h && slot.prefix == prefix && Int(slot.length) == key.count
            && (key.count <= 8 || bytesEqual(arena.baseAddress! + Int(slot.offset) + 8, key.baseAddress! + 8, key.count - 8))
    }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: key.count)
        var i = 0
        let raw = UnsafeRawPointer(key.baseAddress)
        while i + 8 <= key.count {
            let word = raw!.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < key.count {
            tail |= UInt64(key[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return h | 1
    }

    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>) -> UInt64? {
        self.find(key, hash: Self.hash(key))
    }

    /// The value of `key`, whose ``hash(_:)`` the caller has already taken (to prefetch its slot).
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> UInt64? {
        let prefix = Self.prefix(key)
        return self.slots.withUnsafeBufferPointer { slots in
            self.arena.withUnsafeBufferPointer { arena in
                var i = Int(truncatingIfNeeded: h) & self.mask
                while slots[i].hash != 0 {
                    if Self.holds(slots[i], key, hash: h, prefix: prefix, arena: arena) { return slots[i].value }
                    i = (i + 1) & self.mask
                }
                return nil
            }
        }
    }

    func find(_ key: [UInt8]) -> UInt64? {
        key.withUnsafeBufferPointer { self.find($0) }
    }

    /// Inserts or replaces the value for `key`.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, value: UInt64) {
        if (self.count + 1) * 2 > self.slots.count { self.grow() }
        let offset = UInt32(self.arena.count)
        if self.place(key, at: offset, value: value) { self.arena.append(contentsOf: key) }
    }

    /// Replaces the value of `key`, or records it with its bytes at `offset` in the arena;
    /// returns whether it is new. The caller has made room.
    @discardableResult
    private mutating func place(_ key: UnsafeBufferPointer<UInt8>, at offset: UInt32, value: UInt64) -> Bool {
        let h = Self.hash(key)
        let prefix = Self.prefix(key)
        let mask = self.mask
        let found: Int? = self.slots.withUnsafeMutableBufferPointer { slots in
            self.arena.withUnsafeBufferPointer { arena in
                var i = Int(truncatingIfNeeded: h) & mask
                while slots[i].hash != 0 {
                    if Self.holds(slots[i], key, hash: h, prefix: prefix, arena: arena) {
                        slots[i].value = value
                        return nil
                    }
                    i = (i + 1) & mask
                }
                return i
            }
        }
        guard let empty = found else { return false }
        self.slots[empty] = Slot(hash: h, prefix: prefix, offset: offset, length: UInt32(key.count), value: value)
        self.count += 1
        return true
    }

    mutating func insert(_ key: [UInt8], value: UInt64) {
        key.withUnsafeBufferPointer { self.insert($0, value: value) }
    }

    private mutating func grow() {
        let old = self.slots
        self.slots = Array(repeating: Self.emptySlot, count: old.count * 2)
        self.mask = self.slots.count - 1
        for slot in old where slot.hash != 0 {
            var i = Int(truncatingIfNeeded: slot.hash) & self.mask
            while self.slots[i].hash != 0 { i = (i + 1) & self.mask }
            self.slots[i] = slot
        }
    }
}
