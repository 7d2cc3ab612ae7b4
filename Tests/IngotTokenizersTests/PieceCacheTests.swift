import IngotTestSupport
import Testing

@testable import IngotTokenizers

/// The encoder's piece cache keeps a short piece whole in its key word and a long one as its
/// length, 24 hash bits and an arena offset: each kind must find exactly its own pieces, through
/// growth and after being emptied.
@Suite struct PieceCacheTests {
    static func find(_ cache: PieceCache, _ piece: [UInt8]) -> UInt64? {
        piece.withUnsafeBufferPointer { cache.find($0, shortKey: ShortPieceCache.key($0)) }
    }

    static func insert(_ cache: inout PieceCache, _ piece: [UInt8], _ value: UInt64) {
        piece.withUnsafeBufferPointer { cache.insert($0, shortKey: ShortPieceCache.key($0), value: value) }
    }

    /// Pieces of every length the cache takes (short ones from a small alphabet, so that many
    /// share bytes), long pieces that differ only after their eighth byte or only in their last,
    /// against a dictionary, while the table doubles from its smallest size.
    @Test func findsWhatADictionaryHolds() {
        var random = SplitMix64(seed: 21)
        var expected: [[UInt8]: UInt64] = [:]
        var cache = PieceCache()
        func add(_ piece: [UInt8]) {
            guard expected[piece] == nil else { return }
            let value = random.next() | 1
            expected[piece] = value
            Self.insert(&cache, piece, value)
        }
        for _ in 0..<30_000 {
            let length = 2 + Int(random.next() % UInt64(PieceCache.maximumPieceLength - 1))
            add((0..<(random.next() % 4 == 0 ? length : min(length, 7))).map { _ in UInt8(0x61 + random.next() % 5) })
        }
        let stem = Array("tokenization".utf8)
        for last in UInt8(0)...255 {
            add(stem + [last])
            add(Array(stem.prefix(8)) + [last])
        }
        #expect(cache.count == expected.count)
        let wrong = expected.filter { Self.find(cache, $0.key) != $0.value }
        #expect(wrong.isEmpty, "\(wrong.count) pieces found with another value or not at all")
        let absent = (0..<5_000).map { _ in (0..<(2 + Int(random.next() % 40))).map { _ in UInt8(0x66 + random.next() % 3) } }
        #expect(absent.allSatisfy { Self.find(cache, $0) == nil })
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
        var cache = PieceCache()
        Self.insert(&cache, first, 1)
        #expect(Self.find(cache, second) == nil)
        Self.insert(&cache, second, 2)
        #expect(Self.find(cache, first) == 1)
        #expect(Self.find(cache, second) == 2)
    }

    @Test func removeAllForgetsEveryPiece() {
        var cache = PieceCache()
        let pieces = (0..<1_000).map { Array("piece \($0)".utf8) } + (0..<1_000).map { Array("p\($0 % 100)".utf8) }
        for (value, piece) in Set(pieces).enumerated() { Self.insert(&cache, piece, UInt64(value) + 1) }
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(pieces.allSatisfy { Self.find(cache, $0) == nil })
        Self.insert(&cache, Array("piece 7".utf8), 9)
        #expect(Self.find(cache, Array("piece 7".utf8)) == 9)
    }
}
