import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory new-pipeline NAME [--pad|--pack]`
///
/// Scaffolds `Pipelines/<Name>.swift`, a pipeline that compiles and runs as is: read, tokenize
/// with EOS, pack (or pad) to `seq_len`, write shards. The registry plugin picks it up on the next
/// build, so `pipeline list` shows it with no other change.
@main
struct NewPipelinePlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) throws {
        var extractor = ArgumentExtractor(arguments)
        let padding = extractor.extractFlag(named: "pad") > 0
        _ = extractor.extractFlag(named: "pack")
        guard let name = extractor.remainingArguments.first, !name.isEmpty,
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), name.first!.isLetter
        else {
            throw PluginError("usage: swift package --allow-writing-to-package-directory new-pipeline NAME [--pad|--pack]")
        }
        let typeName = name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        let directory = context.package.directoryURL.appending(path: "Pipelines")
        let file = directory.appending(path: "\(typeName).swift")
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw PluginError("\(file.path) already exists")
        }
        let shaping =
            padding
            ? "Pad(maxLength: run.seqLen, padID: run.padTokenID)"
            : "Pack(seqLen: run.seqLen, padID: run.padTokenID, strategy: Pack.Strategy(self.pack))"
        let option =
            padding
            ? ""
            : """

                @Option(help: "Packing strategy: best-fit or greedy.")
                public var pack: Pack.Strategy.Kind = .bestFit

            """
        let source = """
            import ArgumentParser
            import Ingot

            /// TODO: say what this pipeline prepares and for which model.
            public struct \(typeName): PipelineDefinition {
                public static let name = "\(name)"
                public static let abstract = "Tokenize, append EOS, \(padding ? "pad each example" : "pack documents") to seq_len rows."
            \(option)
                public init() {}

                public func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
                    ReadCorpus(field: run.textField)
                    try Tokenize(run.tokenizer, appendEOS: true, splitSpecialTokens: run.splitSpecialTokens)
                    \(shaping)
                    WriteShards(schema: run.schema)
                }
            }

            """
        try source.write(to: file, atomically: true, encoding: .utf8)
        print("created \(file.path); run it with: swift run pipeline run \(name)")
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
