import Ingot
import Logging
import Testing

@Suite struct PadTests {
    static func pad(_ lengths: [Int], maxLength: Int, truncation: Pad.Side = .right, padding: Pad.Side = .right) throws -> ([Row], RunStatistics) {
        var stage = Pad(maxLength: maxLength, padID: 9999, truncation: truncation, padding: padding)
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "test"))
        var rows: [Row] = []
        for (d, length) in lengths.enumerated() {
            let tokens = (0..<length).map { UInt32(d * 10_000 + $0) }
            try stage.process(TokenizedDocument(tokens: tokens, location: .init(path: "t", line: d + 1)), context: context) { rows.append($0) }
        }
        try stage.finish(context: context) { rows.append($0) }
        return (rows, context.statistics)
    }

    /// Lengths around the boundary: empty, 1, max-1, max, max+1, far beyond.
    @Test(arguments: [1, 2, 7, 64, 4096])
    func everyRowHasExactlyMaxLength(_ maxLength: Int) throws {
        let lengths = [0, 1, maxLength - 1, maxLength, maxLength + 1, 3 * maxLength + 5].filter { $0 >= 0 }
        let (rows, stats) = try Self.pad(lengths, maxLength: maxLength)
        #expect(rows.count == lengths.count)
        var truncated = 0
        for (d, (row, length)) in zip(rows, lengths).enumerated() {
            #expect(row.tokens.count == maxLength && row.segmentIDs.count == maxLength)
            let kept = min(length, maxLength)
            truncated += length - kept
            #expect(Array(row.tokens.prefix(kept)) == (0..<kept).map { UInt32(d * 10_000 + $0) })
            #expect(row.tokens.dropFirst(kept).allSatisfy { $0 == 9999 })
            #expect(row.segmentIDs == Array(repeating: 1, count: kept) + Array(repeating: 0, count: maxLength - kept))
        }
        #expect(stats.truncatedTokens == truncated)
        #expect(stats.documentsWritten == lengths.count)
    }

    @Test func leftTruncationKeepsTheEndAndLeftPaddingPadsTheStart() throws {
        let (rows, _) = try Self.pad([6, 2], maxLength: 4, truncation: .left, padding: .left)
        #expect(rows[0].tokens == [2, 3, 4, 5])
        #expect(rows[1].tokens == [9999, 9999, 10_000, 10_001])
        #expect(rows[1].segmentIDs == [0, 0, 1, 1])
    }
}
