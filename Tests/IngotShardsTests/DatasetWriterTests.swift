import Foundation
import IngotCore
import IngotShards
import IngotTestSupport
import Testing

@Suite struct DatasetWriterTests {
    static let schema = ShardSchema(seqLen: 8, vocabularySize: 100, compression: .zstd(level: 3), rowsPerFrame: 2)

    static func runFile(_ dir: URL) -> String { dir.appendingPathComponent(".ingot/run.json").path }

    /// The run is recorded (`run.json`) by `start()`, which the runner calls while its workers
    /// start, or else by whatever the writer is asked to do first: never after a partition is
    /// recorded, so a finished partition can always be resumed.
    @Test func theRunIsRecordedBeforeAnyPartition() throws {
        let dir = try TestPaths.makeTemporaryDirectory("dataset-writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let identity = Fixtures.identity(Self.schema)

        let started = dir.appendingPathComponent("started")
        let writer = try DatasetWriter(directory: started.path, schema: Self.schema, identity: identity, mode: .create)
        #expect(!FileManager.default.fileExists(atPath: Self.runFile(started)))
        try writer.start()
        #expect(FileManager.default.fileExists(atPath: Self.runFile(started)))
        try writer.start()  // once is enough

        // Not started: the first finished partition records the run first.
        let unstarted = dir.appendingPathComponent("unstarted")
        do {
            let writer = try DatasetWriter(directory: unstarted.path, schema: Self.schema, identity: identity, mode: .create)
            try writer.finishPartition(0, statistics: RunStatistics(), bytesRead: [:])
            #expect(FileManager.default.fileExists(atPath: Self.runFile(unstarted)))
        }
        // Interrupted there (the writer went without publishing): the run resumes with partition 0
        // kept, and the same job without --resume is told to resume.
        do {
            let resumed = try DatasetWriter(directory: unstarted.path, schema: Self.schema, identity: identity, mode: .resume)
            #expect(resumed.completedPartitions.keys.sorted() == [0])
            try resumed.start()
        }
        let error = #expect(throws: IngotError.self) {
            try DatasetWriter(directory: unstarted.path, schema: Self.schema, identity: identity, mode: .create)
        }
        #expect(error?.message.contains("--resume") == true, "\(String(describing: error))")
    }
}
