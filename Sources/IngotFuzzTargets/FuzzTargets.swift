import Foundation
import Ingot
import IngotParquet
import Logging

/// The parsers a hostile or damaged input reaches, as libFuzzer targets: each takes arbitrary
/// bytes and must return (any defect reported as an error) without crashing, hanging or
/// allocating without bound.
///
/// `Fuzz/` builds them into `ingot-fuzz` with coverage instrumentation (`scripts/fuzz.sh`); the
/// test suite replays every input kept in `Tests/Fuzz/corpus/<target>/`, including those that
/// once found a bug.
public enum FuzzTargets {
    /// Target name -> entry point.
    public static let all: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
        "jsonl": jsonLines,
        "json": json,
        "tokenizer-json": { loadTokenizer($0, named: "tokenizer.json") },
        "tiktoken": { loadTokenizer($0, named: "r50k_base.tiktoken") },
        "tekken": { loadTokenizer($0, named: "tekken_fuzz.json") },
        "sentencepiece": { loadTokenizer($0, named: "fuzz.model") },
        "encode": encode,
        "shard": shard,
        "index": index,
        "jinja": jinja,
        "parquet": parquet,
    ]

    /// JSON lines through the reading stage: line framing, UTF-8 validation, field extraction
    /// (nested keys and array items) and whole-record values, under both error policies.
    static func jsonLines(_ data: UnsafeRawBufferPointer) {
        let bytes = [UInt8](data)
        for field in ["text", "meta.body", "messages.0.content"] {
            for policy in [ErrorPolicy.skip, .stop] {
                let context = StageContext(partition: 0, errorPolicy: policy, logger: Logger(label: "fuzz"))
                var stage = ReadCorpus(field: field)
                let chunk = CorpusChunk(path: "fuzz.jsonl", records: JSONLineRecords(bytes: bytes), inputBytes: bytes.count)
                var documents = 0
                do {
                    try stage.process(chunk, context: context) { _ in documents += 1 }
                    let s = context.statistics
                    precondition(s.documentsRead == documents + s.documentsSkipped, "a document went unaccounted for")
                } catch {
                    precondition(policy == .stop, "skipping never throws: \(error)")
                }
            }
        }
        let context = StageContext(partition: 0, errorPolicy: .skip, logger: Logger(label: "fuzz"))
        try? JSONLineRecords(bytes: bytes).forEachRecord(path: "fuzz.jsonl", context: context) { record, _ in
            _ = try? record.value()
        }
    }

    /// The tree parser (tokenizer files, indexes), with both ways of reading floats.
    static func json(_ data: UnsafeRawBufferPointer) {
        _ = try? JSONValue.parse(data)
        _ = try? JSONValue.parse(Array(data), floats: .serdeJSON)
    }

    /// A tokenizer file of any format: loading either fails with a message or gives a tokenizer
    /// that encodes and decodes.
    static func loadTokenizer(_ data: UnsafeRawBufferPointer, named name: String) {
        let path = Scratch.path(name)
        guard FileManager.default.createFile(atPath: path, contents: Data(data)) else { return }
        guard let tokenizer = try? Tokenizer.load(contentsOf: path) else { return }
        let text = "Hello, world! 123 ünïcödé 日本語 <s>\n\t  end"
        let ids = tokenizer.encode(text, matchingAddedTokens: true, addingSpecialTokens: true)
        precondition(ids.allSatisfy { Int($0) < tokenizer.vocabularySize }, "an id outside the vocabulary")
        _ = tokenizer.decode(ids)
        _ = tokenizer.encode(text, matchingAddedTokens: false)
    }

    /// Any valid UTF-8 through the GPT-2 tokenizer: byte-level BPE round-trips every text.
    static func encode(_ data: UnsafeRawBufferPointer) {
        guard UTF8Validation.firstInvalidOffset(in: data) == nil, let tokenizer = Scratch.gpt2 else { return }
        let text = String(decoding: data, as: UTF8.self)
        var encoder = tokenizer.makeEncoder()
        var ids: [UInt32] = []
        data.withMemoryRebound(to: UInt8.self) { encoder.encode($0, into: &ids) }
        precondition(ids.allSatisfy { Int($0) < tokenizer.vocabularySize }, "an id outside the vocabulary")
        precondition(tokenizer.decode(ids) == text, "GPT-2 did not round-trip")
        encoder.matchesAddedTokens = false
        ids.removeAll()
        data.withMemoryRebound(to: UInt8.self) { encoder.encode($0, into: &ids) }
        precondition(tokenizer.decode(ids) == text, "GPT-2 did not round-trip with special tokens split")
    }

    /// Bytes as a zstd shard file of a small dataset whose index matches their size and sha256:
    /// the seek table, frame sizes and frames must all be checked before anything is trusted.
    static func shard(_ data: UnsafeRawBufferPointer) {
        let directory = Scratch.path("dataset")
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bytes = [UInt8](data)
        let file = DatasetWriter.fileName(partition: 0, shard: 0, column: .inputIDs, compression: .zstd(level: 3))
        guard FileManager.default.createFile(atPath: "\(directory)/\(file)", contents: Data(bytes)) else { return }
        let rows = 5
        let entry = DatasetIndex.File(file: file, bytes: bytes.count, sha256: SHA256.hex(bytes), frames: 3)
        let reader = DatasetReader(directory: directory, index: Scratch.shardIndex(rows: rows))
        if let column = try? reader.readColumn(entry, rows: rows, rowBytes: 8 * 2) {
            precondition(column.count == rows * 8 * 2, "a column of the wrong size was accepted")
        }
    }

    /// A Parquet file: footer, schema, pages, codecs, encodings and record assembly, for all
    /// columns and for one; every row that comes out is valid JSON text (unless a string's bytes
    /// are not UTF-8: those are left for the JSON reader to refuse, with the row's number).
    static func parquet(_ data: UnsafeRawBufferPointer) {
        let path = Scratch.path("input.parquet")
        guard FileManager.default.createFile(atPath: path, contents: Data(data)) else { return }
        guard let file = try? ParquetFile(path: path) else { return }
        for columns in [nil, Set(file.columnNames.prefix(1))] {
            guard var rows = try? RowReader(file: file, rowGroups: Array(file.rowGroupRows.indices), columns: columns) else { continue }
            var line: [UInt8] = []
            while (try? rows.appendNextRow(to: &line)) == true {
                let row = Array(line.dropLast())
                precondition((try? JSONValue.parse(row)) != nil || String(validating: row, as: UTF8.self) == nil, "a row is not valid JSON")
                line.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Index bytes: the checksum and every value are checked, whatever the bytes.
    static func index(_ data: UnsafeRawBufferPointer) {
        _ = try? DatasetIndex.decode([UInt8](data), path: "index.json")
    }
}

extension FuzzTargets {
    /// Limits smaller than the defaults, so that each input runs in milliseconds.
    static let jinjaLimits = JinjaTemplate.Limits(loopIterations: 20_000, recursionDepth: 50, outputBytes: 1 << 20, workBytes: 16 << 20)

    /// A chat template and the variables it renders with: any text either fails to compile,
    /// fails to render with an error, or renders within the limits.
    static func jinja(_ data: UnsafeRawBufferPointer) {
        guard UTF8Validation.firstInvalidOffset(in: data) == nil else { return }
        guard let template = try? JinjaTemplate(String(decoding: data, as: UTF8.self), limits: Self.jinjaLimits, now: { Date(timeIntervalSince1970: 0) }) else {
            return
        }
        for addGenerationPrompt in [false, true] {
            var variables = Scratch.chatVariables
            variables["add_generation_prompt"] = .bool(addGenerationPrompt)
            if let text = try? template.render(variables) {
                // One statement may pass the output limit before the check after it.
                precondition(text.utf8.count <= 2 * Self.jinjaLimits.outputBytes, "a render passed the output limit")
            }
        }
    }
}

/// Per-process scratch space for targets that need files, and the fixtures they share.
enum Scratch {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/ingot-fuzz-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func path(_ name: String) -> String { "\(self.directory)/\(name)" }

    /// The bundled GPT-2 tokenizer: `$INGOT_FUZZ_GPT2`, or found from the working directory.
    static let gpt2: Tokenizer? = {
        let candidates = [ProcessInfo.processInfo.environment["INGOT_FUZZ_GPT2"], "Samples/tokenizers/gpt2/tokenizer.json", "../Samples/tokenizers/gpt2/tokenizer.json"]
        for case let path? in candidates where FileManager.default.fileExists(atPath: path) {
            return try? Tokenizer.load(contentsOf: path)
        }
        return nil
    }()

    /// A conversation with a system prompt, content parts, a tool call and its result.
    nonisolated(unsafe) static let chatVariables: [String: JinjaValue] = {
        let json = """
            {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Weather in Zürich?"}]},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call12345", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich"}}}]},
            {"role": "tool", "content": "{\"temp\": 21}", "tool_call_id": "call12345"}, {"role": "assistant", "content": "21 °C."}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
            "bos_token": "<s>", "eos_token": "</s>"}
            """
        var variables: [String: JinjaValue] = [:]
        for (key, value) in (try? JSONValue.parse(Array(json.utf8)))?.objectValue ?? [] { variables[key] = JinjaValue(json: value) }
        return variables
    }()

    static func shardIndex(rows: Int) -> DatasetIndex {
        DatasetIndex(
            format: DatasetIndex.formatName, formatVersion: DatasetIndex.currentVersion, seqLen: 8,
            columns: ["input_ids": .init(dtype: .uint16), "segment_ids": .init(dtype: .uint16)],
            compression: .init(codec: "zstd", level: 3, rowsPerFrame: 2), vocabularySize: 1000,
            specialTokens: .init(bos: nil, eos: nil, pad: nil), tokenizer: .init(name: "t", sha256: ""),
            pipeline: .init(name: "fuzz", options: [:]), inputs: [], shards: [], totalRows: 0, statistics: RunStatistics(),
            indexSHA256: "")
    }
}
