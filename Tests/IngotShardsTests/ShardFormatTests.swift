import Foundation
import IngotCore
import IngotShards
import IngotTestSupport
import Logging
import Testing

@Suite struct ShardFormatTests {
    static func writeDataset(rows: Int, seqLen: Int, compression: ShardSchema.Compression, rowsPerShard: Int? = nil) throws -> (URL, [Row]) {
        let dir = try TestPaths.makeTemporaryDirectory("shards")
        let schema = ShardSchema(seqLen: seqLen, vocabularySize: 70_000, compression: compression, rowsPerFrame: 5, rowsPerShard: rowsPerShard)
        var stage = WriteShards(schema: schema)
        let context = StageContext(partition: 3, errorPolicy: .stop, logger: Logger(label: "test"))
        let writer = try DatasetWriter(directory: dir.path, schema: schema, identity: Fixtures.identity(schema), mode: .create)
        // Partitions 0 to 2 held nothing (their documents were all skipped, say); 3 holds the rows.
        for empty in 0..<3 { try writer.finishPartition(empty, statistics: RunStatistics(), bytesRead: [:]) }
        var written: [Row] = []
        for r in 0..<rows {
            let real = (r * 7) % (seqLen + 1)
            let row = try Row(
                seqLen: seqLen, tokens: (0..<seqLen).map { $0 < real ? UInt32(69_000 + r + $0) : 0 },
                segmentIDs: (0..<seqLen).map { $0 < real ? 1 + UInt32($0 / 3) : 0 })
            written.append(row)
            try stage.process(row, context: context) { try writer.write($0, partition: 3) as Void }
        }
        try stage.finish(context: context) { try writer.write($0, partition: 3) as Void }
        try writer.finishPartition(3, statistics: context.statistics, bytesRead: [:])
        _ = try writer.finish(
            partitions: 4,
            provenance: .init(
                vocabularySize: 70_000, specialTokens: .init(bos: nil, eos: 1, pad: 0), tokenizer: .init(name: "t.json", sha256: "00"),
                pipeline: .init(name: "test", options: [:]), inputs: []))
        return (dir, written)
    }

    @Test(arguments: [ShardSchema.Compression.zstd(level: 3), .none])
    func rowsReadBackBitExact(_ compression: ShardSchema.Compression) throws {
        let (dir, written) = try Self.writeDataset(rows: 53, seqLen: 37, compression: compression, rowsPerShard: 20)
        defer { try? FileManager.default.removeItem(at: dir) }
        let reader = try DatasetReader(directory: dir.path)
        #expect(reader.index.shards.map(\.rows) == [20, 20, 13])
        #expect(reader.index.shards.map(\.name) == ["part-00003-0000", "part-00003-0001", "part-00003-0002"])
        #expect(reader.index.columns["input_ids"]?.dtype == .uint32)
        #expect(try reader.allRows() == written)
    }

    /// The stock `zstd -d` turns a shard into the raw row-major array numpy reads.
    @Test func stockZstdDecompressesToTheRawArray() throws {
        let (dir, written) = try Self.writeDataset(rows: 12, seqLen: 16, compression: .zstd(level: 3))
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("part-00003-0000.input_ids.zst")
        let out = dir.appendingPathComponent("raw.bin")
        let result = try Subprocess.run("zstd", ["-d", "-q", "-f", file.path, "-o", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let raw = [UInt8](try Data(contentsOf: out))
        let values = stride(from: 0, to: raw.count, by: 4).map {
            UInt32(raw[$0]) | UInt32(raw[$0 + 1]) << 8 | UInt32(raw[$0 + 2]) << 16 | UInt32(raw[$0 + 3]) << 24
        }
        #expect(values == written.flatMap(\.tokens))
    }

    @Test func corruptionIsDetected() throws {
        let (dir, _) = try Self.writeDataset(rows: 30, seqLen: 16, compression: .zstd(level: 3))
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("part-00003-0000.input_ids.zst")
        var bytes = [UInt8](try Data(contentsOf: file))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: file)
        #expect(throws: IngotError.self) { try DatasetReader(directory: dir.path).allRows() }
    }

    @Test func writerRejectsRowsOfAnotherLength() throws {
        var stage = WriteShards(schema: ShardSchema(seqLen: 8, vocabularySize: 100))
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "test"))
        let row = try Row(seqLen: 9, tokens: Array(repeating: 1, count: 9), segmentIDs: Array(repeating: 1, count: 9))
        #expect(throws: IngotError.self) { try stage.process(row, context: context) { _ in } }
        #expect(throws: Row.LengthError.self) { try Row(seqLen: 8, tokens: [1, 2, 3], segmentIDs: [1, 1, 1]) }
    }

    @Test func seekTableRoundTrips() throws {
        let entries: [SeekTable.Entry] = (0..<UInt32(50)).map { i in SeekTable.Entry(compressedSize: i * 13 + 1, decompressedSize: i * 1000) }
        let bytes: [UInt8] = [0xAB, 0xCD] + SeekTable.encode(entries)
        #expect(try SeekTable.decode(fileTail: bytes) == entries)
        var broken = bytes
        broken[broken.count - 1] ^= 1
        #expect(throws: SeekTableError.self) { try SeekTable.decode(fileTail: broken) }
    }
}
