import Dispatch
import IngotTestSupport
import Synchronization
import Testing

@testable import IngotTokenizers

/// The piece cache keeps a short piece whole in its key word and a long one as its length, 24
/// hash bits and an arena offset: each kind must find exactly its own pieces, through growth,
/// up to its limit, and with encoders on several threads inserting and looking up at once.
@Suite struct PieceCacheTests {
    static func find(_ cache: PieceCache, _ piece: [UInt8]) -> UInt64? {
        piece.withUnsafeBufferPointer { cache.find($0, shortKey: ShortPieceCache.key($0)) }
    }

    static func insert(_ cache: PieceCache, _ piece: [UInt8], _ value: UInt64, _ writer: inout PieceCache.Writer) {
        piece.withUnsafeBufferPointer { cache.insert($0, shortKey: ShortPieceCache.key($0), value: value, writer: &writer) }
    }

    /// Distinct pieces of every length the cache takes (short ones from a small alphabet, so
    /// that many share bytes; long ones that differ only after their eighth byte or only in their
    /// last), each with a value derived from it.
    static func pieces(count: Int, seed: UInt64) -> [[UInt8]: UInt64] {
        var random = SplitMix64(seed: seed)
        var pieces: [[UInt8]: UInt64] = [:]
        while pieces.count < count {
            let length = 2 + Int(random.next() % UInt64(PieceCache.maximumPieceLength - 1))
            let piece = (0..<(random.next() % 4 == 0 ? length : min(length, 7))).map { _ in UInt8(0x61 + random.next() % 5) }
            pieces[piece] = random.next() | 1
        }
        let stem = Array("tokenization".utf8)
        for last in UInt8(0)...255 {
            pieces[stem + [last]] = UInt64(last) << 8 | 3
            pieces[Array(stem.prefix(8)) + [last]] = UInt64(last) << 8 | 5
        }
        return pieces
    }

    @Test func findsWhatADictionaryHolds() {
        let expected = Self.pieces(count: 30_000, seed: 21)
        let cache = PieceCache(initialSlots: 16)
        var writer = PieceCache.Writer()
        for (piece, value) in expected { Self.insert(cache, piece, value, &writer) }
        let wrong = expected.filter { Self.find(cache, $0.key) != $0.value }
        #expect(wrong.isEmpty, "\(wrong.count) pieces found with another value or not at all")
        var random = SplitMix64(seed: 5)
        let absent = (0..<5_000).map { _ in (0..<(2 + Int(random.next() % 40))).map { _ in UInt8(0x66 + random.next() % 3) } }
        #expect(absent.allSatisfy { Self.find(cache, $0) == nil })
        // A second insert of a piece changes nothing.
        for (piece, value) in expected.prefix(100) { Self.insert(cache, piece, value ^ 2, &writer) }
        #expect(expected.prefix(100).allSatisfy { Self.find(cache, $0.key) == $0.value })
    }

    /// Two long pieces of one length whose hashes agree in the 24 bits a key word keeps and in
    /// the 4 that pick their slot in the smallest table, so that looking one up meets the other:
    /// only their bytes tell them apart.
    @Test func longPiecesWithTheSameHashBitsStayApart() {
        var seen: [UInt64: [UInt8]] = [:]
        var pair: ([UInt8], [UInt8])?
        var n: UInt64 = 0
        while pair == nil {
            let piece = Array("piece-\(n)-of-a-search".utf8)
            let h = piece.withUnsafeBufferPointer { ByteKeyedTable.hash($0) }
            let bits = (h >> 1 & 0xFF_FFFF) | (h >> 60) << 24 | UInt64(piece.count) << 28
            if let other = seen[bits] { pair = (other, piece) } else { seen[bits] = piece }
            n += 1
        }
        let (first, second) = pair!
        #expect(first != second && first.count == second.count)
        let cache = PieceCache(initialSlots: 16)
        var writer = PieceCache.Writer()
        Self.insert(cache, first, 1, &writer)
        #expect(Self.find(cache, second) == nil)
        Self.insert(cache, second, 2, &writer)
        #expect(Self.find(cache, first) == 1)
        #expect(Self.find(cache, second) == 2)
    }

    @Test func takesNoMorePiecesThanItsLimit() {
        let cache = PieceCache(initialSlots: 16, entryLimit: 1_000)
        var writer = PieceCache.Writer()
        let pieces = (0..<3_000).map { Array("piece \($0)".utf8) }
        for (value, piece) in pieces.enumerated() { Self.insert(cache, piece, UInt64(value) + 1, &writer) }
        let found = pieces.indices.filter { Self.find(cache, pieces[$0]) == UInt64($0) + 1 }
        #expect(found == Array(0..<1_000))
        // The shared count leaves out a writer's last few inserts until its next batch.
        #expect(cache.count <= 1_000 && cache.count > 900)
    }

    @Test func storesIDsWhereItsValuesPoint() {
        let cache = PieceCache()
        var writer = PieceCache.Writer()
        var stored: [(Int, [UInt32])] = []
        for n in 0..<20_000 {
            let ids = (0..<(n % 7)).map { UInt32(n &* 31 &+ $0) }
            let start = ids.withUnsafeBufferPointer { cache.store($0, writer: &writer) }
            stored.append((start!, ids))
        }
        #expect(stored.allSatisfy { Array(cache.ids(at: $0.0, count: $0.1.count)) == $0.1 })
    }

    /// Four threads insert overlapping halves of one set of pieces into a cache that starts at
    /// 16 slots, each looking up all of them as it goes: no lookup may ever return another
    /// piece's value. An insert made in an old table while another thread copies it may be lost
    /// (the piece is merged again when next seen), so afterwards each missing piece is inserted
    /// once more, and then every piece must be found.
    @Test func threadsShareOneCacheAsItGrows() {
        let expected = Self.pieces(count: 40_000, seed: 77)
        let all = expected.keys.sorted { $0.lexicographicallyPrecedes($1) }
        let cache = PieceCache(initialSlots: 16)
        let wrong = Atomic<Int>(0)
        let found = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var writer = PieceCache.Writer()
            var random = SplitMix64(seed: UInt64(thread))
            let mine = all.enumerated().filter { ($0.offset + thread) % 4 < 2 }.map(\.element).shuffled(using: &random)
            for (n, piece) in mine.enumerated() {
                if let value = Self.find(cache, piece) {
                    if value != expected[piece] { wrong.add(1, ordering: .relaxed) }
                    found.add(1, ordering: .relaxed)
                } else {
                    Self.insert(cache, piece, expected[piece]!, &writer)
                }
                let other = all[(n &* 7_919 &+ thread) % all.count]
                if let value = Self.find(cache, other), value != expected[other] { wrong.add(1, ordering: .relaxed) }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
        // Each piece went to two threads: most second comers find it.
        #expect(found.load(ordering: .relaxed) > all.count / 2)
        var writer = PieceCache.Writer()
        for piece in all where Self.find(cache, piece) == nil { Self.insert(cache, piece, expected[piece]!, &writer) }
        #expect(all.allSatisfy { Self.find(cache, $0) == expected[$0] })
    }
}
