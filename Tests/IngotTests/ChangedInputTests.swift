import Foundation
import Ingot
import IngotTestSupport
import Pipelines
import Testing

/// An input that changes while the run reads it is an error naming it: never a dataset built
/// from half a file.
@Suite struct ChangedInputTests {
    /// JSON Lines, but the file is cut (at a line boundary: `cut-*.jsonl`) or grown (others) just
    /// as its reading starts, as another process might do.
    struct ChangingJSONLines: InputFormat {
        var name: String { "jsonl" }

        func accepts(fileName: String) -> Bool { fileName.hasSuffix(".jsonl") }

        func pieces(of file: CorpusFile, targetBytes: Int) throws(IngotError) -> [FilePiece]? {
            try JSONLinesFormat(compression: .none).pieces(of: file, targetBytes: targetBytes)
        }

        func makeReader(for piece: FilePiece, options: ReadOptions) throws(IngotError) -> any ChunkReading {
            let path = piece.file.path
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            if (path as NSString).lastPathComponent.hasPrefix("cut-") {
                let half = bytes[..<(bytes.count / 2)].lastIndex(of: 0x0A)! + 1
                bytes.removeLast(bytes.count - half)
            } else {
                bytes += Array(#"{"text": "one more"}"#.utf8) + [0x0A]
            }
            try! Data(bytes).write(to: URL(fileURLWithPath: path))
            return try JSONLinesFormat(compression: .none).makeReader(for: piece, options: options)
        }
    }

    struct ChangingPretrain: PipelineDefinition {
        static let name = "changing"
        static let abstract = "test: pretrain over files that change while read"
        static var inputFormats: InputFormats { InputFormats([ChangingJSONLines()]) }

        func body(_ run: PipelineEnvironment) throws -> some Stage<CorpusChunk, ShardFrame> {
            ReadCorpus(field: run.textField)
            try Tokenize(run.tokenizer, appendEOS: true)
            Pack(seqLen: run.seqLen, padID: run.padTokenID)
            WriteShards(schema: run.schema)
        }
    }

    @Test(arguments: ["cut-corpus.jsonl", "grown-corpus.jsonl"])
    func aFileThatChangesWhileReadIsAnError(_ name: String) async throws {
        let dir = try TestPaths.makeTemporaryDirectory("changing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Fixtures.sampleCorpus, to: file)
        let runner = PipelineRunner(configuration: .init(inputs: [file.path], output: dir.appendingPathComponent("out").path, workers: 1))
        await #expect {
            _ = try await runner.run(try ChangingPretrain.defaults, environment: Fixtures.environment(seqLen: 256))
        } throws: { error in
            "\(error)".contains("input '\(file.path)' changed while it was read")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/index.json").path))
    }

    /// The index records every input's size and the bytes read, and they agree.
    @Test func theIndexRecordsBytesReadPerInput() async throws {
        let dir = try TestPaths.makeTemporaryDirectory("bytes-read")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try await RunnerTests.run(
            try Pretrain.defaults, inputs: [Fixtures.sampleCorpus], output: dir.appendingPathComponent("out"), workers: 2)
        let size = try FileManager.default.attributesOfItem(atPath: Fixtures.sampleCorpus.path)[.size] as! Int
        #expect(report.index.inputs.map(\.bytes) == [size])
        #expect(report.index.inputs.map(\.bytesRead) == [size])
    }
}
