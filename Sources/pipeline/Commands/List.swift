import ArgumentParser
import Ingot
import Pipelines

extension PipelineCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the pipelines declared in Pipelines/.")

        func run() {
            let width = PipelineRegistry.all.map { $0.name.count }.max() ?? 0
            for pipeline in PipelineRegistry.all {
                let padding = String(repeating: " ", count: width - pipeline.name.count)
                print("\(pipeline.name)\(padding)  \(pipeline.abstract)  [seq_len \(pipeline.defaultSeqLen)]")
            }
        }
    }
}
