import Foundation
import IngotCore
@testable import IngotShards
import IngotTestSupport
import Testing

@Suite struct OutputFileTests {
    /// A file written in frame-sized pieces with a data sync started every 64 KB: pieces
    /// written while one runs are held and written after it, the last ones at publishing. The
    /// file reads back as written, with the checksum of what was written, and only once
    /// published.
    @Test func bytesWrittenWhileDataSyncsRunArriveInOrder() throws {
        let directory = try TestPaths.makeTemporaryDirectory("output-file")
        defer { try? FileManager.default.removeItem(at: directory) }
        let final = directory.appendingPathComponent("shard.bin").path
        var random = SplitMix64(seed: 7)
        let pieces = (0..<120).map { piece in (0..<(40_000 + piece * 37)).map { _ in UInt8.random(in: 0...255, using: &random) } }
        let file = try OutputFile(
            finalPath: final, temporaryPath: directory.appendingPathComponent(".shard.bin.tmp").path, writebackBytes: 64 << 10)
        var expected: [UInt8] = []
        for piece in pieces {
            try file.write(piece)
            expected += piece
            #expect(file.bytesWritten == expected.count)
        }
        #expect(!FileManager.default.fileExists(atPath: final))
        let checksum = try file.publish()
        #expect(checksum == SHA256.hex(expected))
        #expect(try Data(contentsOf: URL(fileURLWithPath: final)) == Data(expected))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".shard.bin.tmp").path))
    }
}
