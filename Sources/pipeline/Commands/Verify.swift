import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check a dataset: every checksum, every row length, the index against the files.",
            discussion: "Exits 0 when the dataset is intact, 1 with the first defect otherwise.")

        @Argument(help: "The dataset directory (holding index.json).")
        var path: String

        func run() throws {
            let start = ContinuousClock.now
            try exitingOnError {
                let reader = try DatasetReader(directory: self.path)
                let report = try reader.verify()
                print(
                    "OK \(self.path): \(report.shards) shards, \(report.files) files, \(Format.count(report.rows)) rows x \(reader.index.seqLen), \(Format.bytes(report.bytes)); sizes, sha256, seek tables, frame checksums and row lengths match (\(Format.duration(ContinuousClock.now - start)))"
                )
            }
        }
    }
}
