import Foundation
import IngotTestSupport
import Testing

/// Runs the built `pipeline` executable as a user would.
@Suite struct PipelineCommandTests {
    static var executable: String { TestPaths.buildProducts.appendingPathComponent("pipeline").path }

    static func pipeline(_ arguments: [String]) throws -> SubprocessResult {
        try Subprocess.run(self.executable, arguments, currentDirectory: TestPaths.packageRoot)
    }

    @Test func listShowsTheBundledPipelines() throws {
        let result = try Self.pipeline(["list"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("pretrain") && result.stdout.contains("finetune"))
    }

    @Test func runWritesADatasetAndASummary() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out").path
        let result = try Self.pipeline(["run", "finetune", "--seq-len", "128", "--output", output, "--workers", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("documents read     410"), "\(result.stdout)")
        #expect(result.stdout.contains("rows               410 x 128 tokens"), "\(result.stdout)")
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/index.json"))) as! [String: Any]
        #expect(index["seq_len"] as? Int == 128)
        #expect(index["total_rows"] as? Int == 410)
        // A second run into the same directory needs --overwrite.
        let again = try Self.pipeline(["run", "finetune", "--seq-len", "128", "--output", output])
        #expect(again.status != 0)
        #expect(again.stderr.contains("--overwrite"))
    }

    @Test func badInputExitsNonZeroWithFileAndLine() throws {
        let dir = try TestPaths.makeTemporaryDirectory("cli-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Fixtures.writeLines([#"{"text": "fine"}"#, #"{"text": "fine"}"#, #"{"text": 3}"#], to: "bad.jsonl", in: dir)
        let output = dir.appendingPathComponent("out").path
        let result = try Self.pipeline(["run", "pretrain", "--input", corpus.path, "--output", output])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(corpus.path):3: field 'text' is a number, expected a string"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output + "/index.json"))

        let skipped = try Self.pipeline(["run", "pretrain", "--input", corpus.path, "--output", output, "--on-error", "skip"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("field_not_string: 1"), "\(skipped.stdout)")
    }

    @Test func unknownPipelineIsAValidationError() throws {
        let result = try Self.pipeline(["run", "nope"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("unknown pipeline 'nope'"))
    }

    /// Each pipeline shows, accepts and records only its own options.
    @Test func optionsBelongToTheirPipeline() throws {
        let help = try Self.pipeline(["run", "pretrain", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--pack") && help.stdout.contains("--window"))
        #expect(!help.stdout.contains("--truncation-side"))
        let refused = try Self.pipeline(["run", "pretrain", "--truncation-side", "left"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--truncation-side"), "\(refused.stderr)")
        let badValue = try Self.pipeline(["run", "finetune", "--padding-side", "middle"])
        #expect(badValue.status != 0)
        #expect(badValue.stderr.contains("middle"), "\(badValue.stderr)")

        let dir = try TestPaths.makeTemporaryDirectory("cli-options")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out").path
        let result = try Self.pipeline(["run", "finetune", "--seq-len", "64", "--output", output, "--truncation-side", "left"])
        #expect(result.status == 0, "\(result.stderr)")
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/index.json"))) as! [String: Any]
        let options = (index["pipeline"] as! [String: Any])["options"] as! [String: String]
        #expect(options["truncation_side"] == "left" && options["padding_side"] == "right")
        #expect(options["packing"] == nil && options["document_boundaries"] == nil)
        #expect(options["seq_len"] == "64" && options["text_field"] == "text")
    }

    /// The registry generator finds pipelines declared as types or conformed in extensions,
    /// and leaves out generic ones.
    @Test func registryGeneratorFindsDeclarationsAndExtensions() throws {
        let dir = try TestPaths.makeTemporaryDirectory("registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("Sources.swift")
        try """
            import Ingot
            public struct Alpha: PipelineDefinition { }
            final class Beta: Ingot.PipelineDefinition, Sendable { }
            struct Gamma { }
            extension Gamma: PipelineDefinition { }
            struct Delta<T>: PipelineDefinition { }
            extension Outer.Epsilon: Hashable, PipelineDefinition where Outer: Sendable { }
            struct NotAPipeline: Hashable { }
            """.write(to: source, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("Registry.swift")
        let generator = TestPaths.buildProducts.appendingPathComponent("PipelineRegistryGenerator").path
        let result = try Subprocess.run(generator, [output.path, source.path])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("[Alpha.self, Beta.self, Gamma.self, Outer.Epsilon.self]"), "\(text)")
    }

    /// `encode` cuts stdin into slices of about 1 MB encoded at once: the lines come out in input
    /// order, the same for any worker count, and a bad line stops the stream after every line
    /// before it, naming its line number (in the third slice here).
    @Test func encodeIsTheSameOnEveryWorkerCountAndStopsAtABadLine() throws {
        let sample = try Data(contentsOf: Fixtures.sampleCorpus)  // 2.1 MB: three slices with the extra lines
        let lines = String(decoding: sample, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let input = sample + Data(lines.prefix(200).joined(separator: "\n").utf8) + Data("\n".utf8)
        let stdin = String(decoding: input, as: UTF8.self)
        let one = try ChatCommandTests.pipeline(["encode", "--workers", "1"], stdin: stdin)
        let three = try ChatCommandTests.pipeline(["encode", "--workers", "3"], stdin: stdin)
        #expect(one.status == 0 && three.status == 0, "\(one.stderr) \(three.stderr)")
        #expect(one.stdout.split(separator: "\n").count == lines.count + 200)
        #expect(one.stdout == three.stdout)
        let bad = lines.count + 150
        let broken = stdin.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset + 1 == bad ? #"{"text": broken"# : String($0.element) }.joined(separator: "\n")
        let stopped = try ChatCommandTests.pipeline(["encode", "--workers", "2"], stdin: broken)
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("<stdin>:\(bad): malformed JSON"), "\(stopped.stderr)")
        let before = one.stdout.split(separator: "\n").prefix(bad - 1).joined(separator: "\n") + "\n"
        #expect(stopped.stdout == before)
    }
}
