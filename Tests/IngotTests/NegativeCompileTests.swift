import Foundation
import IngotTestSupport
import Testing

/// The bug Ingot exists to remove, `expected sequence of length 4096 at dim 1 (got 3999)`,
/// comes from writing ragged rows. These tests run the compiler on pipeline snippets against the
/// built modules: wiring tokenize straight into the shard writer must not compile; the same
/// pipeline with a padding or packing stage must.
@Suite struct NegativeCompileTests {
    static func typecheck(_ stages: String) throws -> SubprocessResult {
        let source = """
            import Ingot
            struct Snippet: PipelineDefinition {
                static let name = "snippet"
                static let abstract = "compile test"
                func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
            \(stages)
                }
            }
            """
        let directory = try TestPaths.makeTemporaryDirectory("negative-compile")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("Snippet.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let root = TestPaths.packageRoot.path
        return try Subprocess.run(
            "swiftc",
            [
                "-typecheck", "-swift-version", "6", file.path,
                "-I", TestPaths.buildProducts.appendingPathComponent("Modules").path,
                "-Xcc", "-fmodule-map-file=\(root)/Sources/CZstd/module.modulemap",
                "-Xcc", "-fmodule-map-file=\(root)/Sources/CZlib/module.modulemap",
                "-Xcc", "-fmodule-map-file=\(root)/Sources/CCrypto/module.modulemap",
                "-Xcc", "-fmodule-map-file=\(root)/Sources/CSnappy/module.modulemap",
                "-Xcc", "-fmodule-map-file=\(root)/Sources/CLZ4/module.modulemap",
                "-Xcc", "-fmodule-map-file=\(root)/Sources/CIngotLinux/include/module.modulemap",
                "-Xcc", "-fmodule-map-file=\(root)/Sources/CIngotCPU/include/module.modulemap",
            ])
    }

    /// The snippet must not compile, and the compiler must say why in these words.
    static func expectRefused(_ result: SubprocessResult, mentioning phrases: [String]) {
        #expect(result.status != 0)
        let diagnostics = result.stderr + result.stdout
        for phrase in phrases { #expect(diagnostics.contains(phrase), "\(diagnostics)") }
    }

    @Test func tokenizeIntoShardWriterDoesNotCompile() throws {
        let result = try Self.typecheck(
            """
                    ReadCorpus(field: "text")
                    try Tokenize(run.tokenizer, appendEOS: true)
                    WriteShards(schema: run.schema)
            """)
        Self.expectRefused(result, mentioning: ["'TokenizedDocument'", "'Row'", "be equivalent"])
    }

    @Test func paddingBeforeTheShardWriterCompiles() throws {
        let result = try Self.typecheck(
            """
                    ReadCorpus(field: "text")
                    try Tokenize(run.tokenizer, appendEOS: true)
                    Pad(maxLength: run.seqLen, padID: run.padTokenID)
                    WriteShards(schema: run.schema)
            """)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func packingBeforeTheShardWriterCompiles() throws {
        let result = try Self.typecheck(
            """
                    ReadCorpus(field: "text")
                    try Tokenize(run.tokenizer, appendEOS: true)
                    Pack(seqLen: run.seqLen, padID: run.padTokenID, strategy: .greedy)
                    WriteShards(schema: run.schema)
            """)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func stagesInTheWrongOrderDoNotCompile() throws {
        let result = try Self.typecheck(
            """
                    ReadCorpus(field: "text")
                    Pad(maxLength: run.seqLen, padID: run.padTokenID)
                    try Tokenize(run.tokenizer, appendEOS: true)
                    WriteShards(schema: run.schema)
            """)
        Self.expectRefused(result, mentioning: ["be equivalent"])
    }

    /// `if` without `else` may only hold a stage that keeps the type: otherwise the chain's type
    /// would depend on the condition.
    @Test func typeChangingStageInsideIfDoesNotCompile() throws {
        let result = try Self.typecheck(
            """
                    ReadCorpus(field: "text")
                    try Tokenize(run.tokenizer, appendEOS: true)
                    if run.seqLen > 0 {
                        Pad(maxLength: run.seqLen, padID: run.padTokenID)
                    }
                    WriteShards(schema: run.schema)
            """)
        Self.expectRefused(result, mentioning: ["buildOptional", "(aka 'TokenizedDocument') and", "(aka 'Row') be equivalent"])
    }

    @Test func ifElseAndLoopsOfMatchingStagesCompile() throws {
        let result = try Self.typecheck(
            """
                    ReadCorpus(field: "text")
                    try Tokenize(run.tokenizer, appendEOS: true)
                    if run.seqLen > 4096 {
                        Pad(maxLength: run.seqLen, padID: run.padTokenID)
                    } else {
                        Pack(seqLen: run.seqLen, padID: run.padTokenID)
                    }
                    for _ in 0..<2 {
                        Identity()
                    }
                    WriteShards(schema: run.schema)
                }
            }
            struct Identity: Stage {
                func process(_ row: consuming Row, context: StageContext, emit: (consuming Row) throws -> Void) throws {
                    try emit(row)
            """)
        #expect(result.status == 0, "\(result.stderr)")
    }
}
