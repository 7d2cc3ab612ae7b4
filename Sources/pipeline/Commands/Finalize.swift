import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    struct Finalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "finalize",
            abstract: "Publish the dataset of a run split into tasks (--task-index/--task-count) once every task is done.",
            discussion: """
                Checks that every task ran with the same arguments and that every partition is finished, \
                its shard files at their sizes and checksums, then writes index.json: the same bytes one \
                machine's run writes. Otherwise exits 1 listing the missing or inconsistent partitions and \
                the tasks to run again, leaving the directory as it was. Finalizing a published dataset \
                again is not an error.
                """)

        @Argument(help: "The output directory the tasks shared.")
        var path: String

        func run() throws {
            let start = ContinuousClock.now
            try exitingOnError {
                let result = try DatasetFinalizer.finalize(directory: self.path)
                let index = result.index
                let s = index.statistics
                let what = result.tasks.map { "published the work of \($0) tasks" } ?? "already finalized"
                print(
                    "\(self.path): \(what): \(index.shards.count) shards, \(Format.count(index.totalRows)) rows x \(index.seqLen) tokens, \(Format.count(s.tokens)) tokens from \(Format.count(s.documentsRead)) documents (\(Format.count(s.documentsSkipped)) skipped) (\(Format.duration(ContinuousClock.now - start)))"
                )
            }
        }
    }
}
