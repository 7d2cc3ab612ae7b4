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
}
