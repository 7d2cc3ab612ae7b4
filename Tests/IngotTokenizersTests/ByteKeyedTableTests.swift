import IngotTestSupport
import Testing

@testable import IngotTokenizers

/// The byte-keyed table under the vocabularies, built at once from an arena of keys (on every
/// core for a large one) or key by key.
@Suite struct ByteKeyedTableTests {
    /// Random keys over a small alphabet (so some repeat, with another value), plus keys whose
    /// probes start in the last slots before the middle and the end of the table: where a build
    /// on several cores cuts the slots into spans, these run past their span (at the end, round
    /// to the start) and are placed after the parallel part.
    static func keys(count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        var keys: [[UInt8]] = (0..<count).map { _ in
            (0..<(1 + Int(random.next() % 20))).map { _ in UInt8(0x61 + random.next() % 6) }
        }
        var capacity = 16
        while capacity < (count + 64) * 2 { capacity <<= 1 }
        var crowding: [[UInt8]] = []
        while crowding.count < 48 {
            let key = (0..<12).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let home = key.withUnsafeBufferPointer { Int(truncatingIfNeeded: ByteKeyedTable.hash($0)) } & (capacity - 1)
            if (capacity / 2 - 4..<capacity / 2).contains(home) || (capacity - 4..<capacity).contains(home) { crowding.append(key) }
        }
        // Each crowding key twice, the later with another value.
        keys += crowding + crowding
        return keys
    }

    static func arena(_ keys: [[UInt8]]) -> (arena: [UInt8], ends: [UInt32]) {
        var arena: [UInt8] = []
        var ends: [UInt32] = []
        for key in keys {
            arena += key
            ends.append(UInt32(arena.count))
        }
        return (arena, ends)
    }

    @Test(arguments: [false, true])
    func bulkBuildKeepsEveryKeyAndTheLastValueOfEqualKeys(onEveryCore: Bool) {
        let keys = Self.keys(count: 40_000, seed: 9)
        #expect(keys.count > ByteKeyedTable.parallelBuildKeys)
        var expected: [[UInt8]: UInt64] = [:]
        for (value, key) in keys.enumerated() { expected[key] = UInt64(value) }
        let (arena, ends) = Self.arena(keys)
        let table = ByteKeyedTable(keysIn: arena, ends: ends, values: (0..<UInt64(keys.count)).map { $0 }, onEveryCore: onEveryCore)
        #expect(table.count == expected.count)
        let wrong = expected.filter { table.find($0.key) != $0.value }
        #expect(wrong.isEmpty, "\(wrong.count) keys with another value or none")
        var random = SplitMix64(seed: 10)
        let absent = (0..<2_000).map { _ in (0..<(21 + Int(random.next() % 5))).map { _ in UInt8(0x61 + random.next() % 6) } }
        #expect(absent.allSatisfy { table.find($0) == nil })
    }

    @Test func keyByKeyAndBulkBuildsAgree() {
        let keys = Self.keys(count: 20_000, seed: 11)
        let (arena, ends) = Self.arena(keys)
        let bulk = ByteKeyedTable(keysIn: arena, ends: ends, values: (0..<UInt64(keys.count)).map { $0 * 3 })
        var single = ByteKeyedTable()
        for (value, key) in keys.enumerated() { single.insert(key, value: UInt64(value) * 3) }
        #expect(bulk.count == single.count)
        #expect(keys.allSatisfy { bulk.find($0) == single.find($0) })
    }
}
