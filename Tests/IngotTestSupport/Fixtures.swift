public import Foundation
public import Ingot

/// Small corpora and the bundled tokenizer, for tests.
public enum Fixtures {
    /// The GPT-2 tokenizer shipped in `Samples/` (loaded once).
    public static let gpt2: Tokenizer = {
        try! Tokenizer.load(contentsOf: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path)
    }()

    /// The bundled 2 MB English sample corpus.
    public static let sampleCorpus = TestPaths.packageRoot.appendingPathComponent("Samples/corpus/sample-en.jsonl")

    /// The texts of the sample corpus, in order.
    public static func sampleTexts() throws -> [String] {
        try JSONLFixtures.lines(sampleCorpus).map { $0["text"] as! String }
    }

    /// Writes `lines` (already-serialized JSONL lines, or raw bytes) to `name` in `directory`.
    @discardableResult
    public static func write(_ bytes: [UInt8], to name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    @discardableResult
    public static func writeLines(_ lines: [String], to name: String, in directory: URL) throws -> URL {
        try write(Array(lines.map { $0 + "\n" }.joined().utf8), to: name, in: directory)
    }

    /// A JSONL line with `text` as its "text" field, serialized by Foundation.
    public static func jsonLine(_ text: String, id: Int = 0) -> String {
        let data = try! JSONSerialization.data(withJSONObject: ["id": id, "text": text], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Compresses a file with the stock `zstd` or `gzip` command, returning the new path.
    public static func compress(_ url: URL, with tool: String) throws -> URL {
        let result = try Subprocess.run(tool, ["-q", "-f", "-k", url.path])
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown) }
        return URL(fileURLWithPath: url.path + (tool == "zstd" ? ".zst" : ".gz"))
    }

    /// An environment for `pipeline` runs in tests.
    public static func environment(seqLen: Int, rowsPerShard: Int? = nil, compression: ShardSchema.Compression = .zstd()) -> PipelineEnvironment {
        PipelineEnvironment(tokenizer: gpt2, seqLen: seqLen, compression: compression, rowsPerShard: rowsPerShard)
    }

    /// A run identity for writing datasets by hand in tests.
    public static func identity(_ schema: ShardSchema, name: String = "test") -> RunIdentity {
        RunIdentity(
            pipeline: .init(name: name, options: [:]), layout: schema.description, tokenizerSHA256: "00", errorPolicy: "stop",
            inputs: [], partitions: [])
    }

    /// Every file in a directory (non-recursive, without hidden ones), name -> bytes.
    public static func directoryContents(_ url: URL) throws -> [String: Data] {
        var contents: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where !name.hasPrefix(".") {
            contents[name] = try Data(contentsOf: url.appendingPathComponent(name))
        }
        return contents
    }
}
