import ArgumentParser

/// `pipeline`: run Ingot pipelines and look at their output.
@main
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Cast text corpora into fixed-length, zstd-compressed token shards.",
        discussion: """
            Pipelines are declared in Swift in the Pipelines/ folder. With only a pipeline name, \
            `run` uses the bundled sample corpus and GPT-2 tokenizer.
            """,
        version: "0.2.0",
        // Every command names itself: ArgumentParser would otherwise derive each name from its
        // type at every start, a runtime type lookup each (about 2 ms in all).
        subcommands: [List.self, Run.self, Slurm.self, Finalize.self, Encode.self, Render.self, Records.self, Inspect.self, Verify.self]
    )

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let error = Run.checkPipelineName(in: arguments, command: "run") ?? Run.checkPipelineName(in: arguments, command: "slurm") { Self.exit(withError: error) }
        await TokenizerPreload.whileParsing(arguments) { await Self.main(arguments) }
    }
}
