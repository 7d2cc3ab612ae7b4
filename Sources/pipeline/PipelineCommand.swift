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
        version: "0.1.0",
        subcommands: [List.self, Run.self, Encode.self, Inspect.self, Verify.self]
    )
}
