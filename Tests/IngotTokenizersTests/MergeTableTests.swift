import IngotTestSupport
import Testing

@testable import IngotTokenizers

/// The merge table packs a pair and its payload into one 64-bit slot: ids and payloads must
/// survive the packing at the edges of their bit fields, and nothing out of range may alias.
@Suite struct MergeTableTests {
    /// Random merges over a small id range (so pairs repeat) plus pairs at the largest ids and
    /// ranks a slot holds, against a dictionary where the first merge of a pair wins.
    @Test func lookupsMatchADictionary() throws {
        var random = SplitMix64(seed: 12)
        let top = MergeTable.idLimit - 1
        var merges: [MergeTable.Merge] = (0..<20_000).map { rank in
            MergeTable.Merge(
                left: UInt32(random.next() % 300), right: UInt32(random.next() % 300), rank: UInt32(rank),
                merged: UInt32(random.next() % UInt64(top)))
        }
        let edges: [(UInt32, UInt32)] = [(top, top), (top, 0), (0, top), (top - 1, top), (1 << 20, (1 << 20) - 1)]
        for (left, right) in edges {
            merges.append(MergeTable.Merge(left: left, right: right, rank: UInt32(merges.count), merged: top))
        }
        merges.append(MergeTable.Merge(left: 7, right: 9, rank: MergeTable.payloadLimit - 1, merged: 5))

        var table = MergeTable(capacity: merges.count)
        try table.insert(contentsOf: merges) { TokenizerError(path: "test", $0) }
        var expected: [UInt64: MergeTable.Merge] = [:]
        for merge in merges where expected[UInt64(merge.left) << 32 | UInt64(merge.right)] == nil {
            expected[UInt64(merge.left) << 32 | UInt64(merge.right)] = merge
        }
        for left in UInt32(0)..<300 {
            for right in UInt32(0)..<300 {
                let rank = table.payload(left, right)
                if let merge = expected[UInt64(left) << 32 | UInt64(right)] {
                    #expect(rank == merge.rank)
                    #expect(table.merged(rank: rank) == merge.merged)
                } else {
                    #expect(rank == MergeTable.none)
                }
            }
        }
        for (left, right) in edges {
            let merge = try #require(expected[UInt64(left) << 32 | UInt64(right)])
            #expect(table.payload(left, right) == merge.rank)
            #expect(table.merged(rank: merge.rank) == top)
        }
        #expect(table.payload(top, 1) == MergeTable.none)
    }

    /// Ids at or above the limit are absent, never a truncated alias of a smaller id: the all-ones
    /// id would read an empty slot as a match, and a right id of 21 bits or more would spill
    /// into the left id's bits (3, 4 + 2^21 packs as 4, 4).
    @Test func idsBeyondTheLimitAreAbsent() {
        var table = MergeTable(capacity: 4)
        table.insert(left: 3, right: 4, payload: 1)
        table.insert(left: 4, right: 4, payload: 3)
        table.insert(left: MergeTable.idLimit - 1, right: 0, payload: 2)
        #expect(table.payload(3, 4) == 1)
        #expect(table.payload(4, 4) == 3)
        #expect(table.payload(3 + (1 << 21), 4) == MergeTable.none)
        #expect(table.payload(3, 4 + (1 << 21)) == MergeTable.none)
        #expect(table.payload(MergeTable.idLimit, MergeTable.idLimit) == MergeTable.none)
        #expect(table.payload(MergeTable.idLimit - 1, 0) == 2)
        #expect(table.payload(UInt32.max - 1, 0) == MergeTable.none)
        // The first entry for a pair wins.
        let replaced = table.insert(left: 3, right: 4, payload: 9)
        #expect(!replaced)
        #expect(table.payload(3, 4) == 1)
    }

    /// A file whose ids or ranks do not fit a slot is refused with a message, not truncated, and
    /// nothing of it is recorded.
    @Test func outOfRangeMergesAreRefused() {
        let fail = { (message: String) in TokenizerError(path: "tokenizer.json", message) }
        let good = MergeTable.Merge(left: 1, right: 2, rank: 0, merged: 3)
        for merge in [
            MergeTable.Merge(left: MergeTable.idLimit, right: 1, rank: 0, merged: 2),
            MergeTable.Merge(left: 1, right: MergeTable.idLimit, rank: 0, merged: 2),
            MergeTable.Merge(left: 1, right: 2, rank: 0, merged: MergeTable.idLimit),
            MergeTable.Merge(left: 1, right: 2, rank: MergeTable.payloadLimit, merged: 3),
        ] {
            var table = MergeTable(capacity: 2)
            #expect(throws: TokenizerError.self) { try table.insert(contentsOf: [good, merge], fail: fail) }
            #expect(table.payload(1, 2) == MergeTable.none)
        }
    }
}
