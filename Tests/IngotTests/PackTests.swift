import Ingot
import IngotTestSupport
import Logging
import Testing

/// Property tests with a seeded generator: no token lost or duplicated, every row exactly
/// seq_len, segment ids consistent, output deterministic.
@Suite struct PackTests {
    /// Documents whose tokens encode (document, position), so rows can be mapped back.
    static func documents(seed: UInt64, count: Int, seqLen: Int) -> [[UInt32]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { d in
            let roll = Int.random(in: 0..<100, using: &rng)
            let length =
                roll < 5 ? 0 : roll < 70 ? Int.random(in: 1...max(1, seqLen / 3), using: &rng)
                : roll < 95 ? Int.random(in: 1...seqLen, using: &rng) : Int.random(in: seqLen...(4 * seqLen), using: &rng)
            return (0..<length).map { UInt32(d << 16 | $0) }
        }
    }

    static func pack(_ docs: [[UInt32]], seqLen: Int, strategy: Pack.Strategy) throws -> ([Row], RunStatistics) {
        var stage = Pack(seqLen: seqLen, padID: 0xFFFF_FFFF, strategy: strategy)
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "test"))
        var rows: [Row] = []
        for doc in docs {
            try stage.process(TokenizedDocument(tokens: doc, location: .init(path: "t", line: 1)), context: context) { rows.append($0) }
        }
        try stage.finish(context: context) { rows.append($0) }
        return (rows, context.statistics)
    }

    @Test(arguments: [Pack.Strategy.greedy, .bestFit(window: 1), .bestFit(window: 16), .bestFit(window: 256)])
    func noTokenIsLostOrDuplicated(_ strategy: Pack.Strategy) throws {
        for seed in UInt64(0)..<60 {
            let seqLen = [1, 3, 16, 100, 512][Int(seed % 5)]
            let docs = Self.documents(seed: seed, count: 150, seqLen: seqLen)
            let (rows, stats) = try Self.pack(docs, seqLen: seqLen, strategy: strategy)
            var rebuilt = [[UInt32]](repeating: [], count: docs.count)
            for row in rows {
                #expect(row.tokens.count == seqLen)
                // Segments: 1, 2, ... k in order, then padding (0) only at the end.
                var expectedSegment: UInt32 = 1
                var previous: UInt32 = 0
                var seenPadding = false
                for (token, segment) in zip(row.tokens, row.segmentIDs) {
                    if segment == 0 {
                        seenPadding = true
                        #expect(token == 0xFFFF_FFFF)
                        continue
                    }
                    #expect(!seenPadding, "padding only at the end of a row")
                    if segment != previous {
                        #expect(segment == expectedSegment)
                        expectedSegment += 1
                        previous = segment
                    }
                    rebuilt[Int(token >> 16)].append(token)
                }
            }
            #expect(rebuilt == docs, "seed \(seed)")
            #expect(stats.documentsWritten == docs.count)
            // Pieces of one document carry one segment id within a row.
            for row in rows {
                var docOfSegment: [UInt32: UInt32] = [:]
                for (token, segment) in zip(row.tokens, row.segmentIDs) where segment != 0 {
                    if let d = docOfSegment[segment] { #expect(d == token >> 16) } else { docOfSegment[segment] = token >> 16 }
                }
            }
        }
    }

    /// Best-fit never splits a document that fits in a row.
    @Test func bestFitSplitsOnlyDocumentsLongerThanARow() throws {
        for seed in UInt64(100)..<130 {
            let seqLen = 64
            let docs = Self.documents(seed: seed, count: 300, seqLen: seqLen)
            let (rows, stats) = try Self.pack(docs, seqLen: seqLen, strategy: .bestFit(window: 32))
            var rowsOfDocument: [UInt32: Set<Int>] = [:]
            for (r, row) in rows.enumerated() {
                for (token, segment) in zip(row.tokens, row.segmentIDs) where segment != 0 {
                    rowsOfDocument[token >> 16, default: []].insert(r)
                }
            }
            for (d, doc) in docs.enumerated() where doc.count <= seqLen && !doc.isEmpty {
                #expect(rowsOfDocument[UInt32(d)]?.count == 1, "document \(d) of \(doc.count) tokens was split")
            }
            #expect(stats.splitDocuments == docs.filter { $0.count > seqLen }.count)
        }
    }

    @Test func greedyPadsOnlyTheLastRowAndCanDropIt() throws {
        let docs = Self.documents(seed: 7, count: 200, seqLen: 50)
        let (rows, _) = try Self.pack(docs, seqLen: 50, strategy: .greedy)
        #expect(rows.dropLast().allSatisfy { $0.paddingCount == 0 })
        var stage = Pack(seqLen: 50, padID: 0, strategy: .greedy, dropLastPartialRow: true)
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "test"))
        var dropped: [Row] = []
        for doc in docs { try stage.process(TokenizedDocument(tokens: doc, location: .init(path: "t", line: 1)), context: context) { dropped.append($0) } }
        try stage.finish(context: context) { dropped.append($0) }
        let total = docs.reduce(0) { $0 + $1.count }
        #expect(dropped.count == total / 50)
        #expect(context.statistics.truncatedTokens == total % 50)
    }

    @Test func packingIsDeterministic() throws {
        let docs = Self.documents(seed: 42, count: 500, seqLen: 128)
        let (a, _) = try Self.pack(docs, seqLen: 128, strategy: .bestFit(window: 64))
        let (b, _) = try Self.pack(docs, seqLen: 128, strategy: .bestFit(window: 64))
        #expect(a == b)
    }

    /// With an even spread of lengths, best-fit leaves little padding.
    @Test func bestFitPaddingIsLow() throws {
        var rng = SplitMix64(seed: 3)
        let docs = (0..<20_000).map { d in (0..<Int.random(in: 1...700, using: &rng)).map { UInt32(d << 16 | $0) } }
        let (rows, _) = try Self.pack(docs, seqLen: 2048, strategy: .bestFit(window: 1024))
        let padding = rows.reduce(0) { $0 + $1.paddingCount }
        let fraction = Double(padding) / Double(rows.count * 2048)
        #expect(fraction < 0.01, "padding \(fraction)")
    }
}
