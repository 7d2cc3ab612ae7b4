import Foundation
import Ingot
import Logging

// ingot-bench tokenize CORPUS.jsonl [TOKENIZER.json] [MB]
//     single-thread encode throughput (parse excluded), median of 5 passes
// ingot-bench pack CORPUS.jsonl [TOKENIZER.json] [SEQ_LEN]
//     packing throughput (greedy and best-fit) over pre-tokenized documents, and padding
//
// ingot-bench parquet FILE.parquet|DIR [FIELD]
//     a Parquet text column read into documents' texts, one thread (parquet_bench.py compares)
//
// ingot-bench chat CONVERSATIONS.jsonl TOKENIZER TEMPLATE.jinja BOS EOS
//     chat templates, one thread: renders alone, then render + tokenize + assistant mask
//
// Prints one JSON object per measurement, like ../shared/bench/peers.py, so ratios can be taken.

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: ingot-bench tokenize|pack CORPUS.jsonl [TOKENIZER.json] [MB|SEQ_LEN]")
    exit(2)
}
let mode = arguments[1]
let corpus = arguments[2]
let tokenizerPath = arguments.count > 3 ? arguments[3] : "../Samples/tokenizers/gpt2/tokenizer.json"

func readTexts(_ path: String, limitMB: Double?) throws -> [[UInt8]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var texts: [[UInt8]] = []
    var total = 0
    for line in data.split(separator: 0x0A) where !line.isEmpty {
        let object = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
        let text = Array((object["text"] as! String).utf8)
        texts.append(text)
        total += text.count
        if let limitMB, Double(total) >= limitMB * 1e6 { break }
    }
    return texts
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// A Parquet file's text column read into documents' UTF-8 texts, as a pipeline's ReadCorpus gets
/// them (pages decompressed and decoded, rows assembled, the field extracted): the first pass
/// (cold for this process) and the median of the 5 after it.
func benchmarkParquet(_ corpus: String, field name: String) throws {
    let clock = ContinuousClock()
    let field = FieldPath(name)
    let files = try CorpusFile.discover([corpus])
    var times: [Double] = []
    var textBytes = 0
    var documents = 0
    for _ in 0..<6 {
        let start = clock.now
        textBytes = 0
        documents = 0
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "bench"))
        var text: [UInt8] = []
        for file in files {
            var reader = try file.format.makeReader(for: file.wholePiece, options: ReadOptions(fields: [field.components[0]]))
            while let chunk = try reader.next() {
                try chunk.records.forEachRecord(path: file.path, context: context) { record, _ in
                    try record.text(at: field, into: &text)
                    textBytes += text.count
                    documents += 1
                }
            }
        }
        times.append((clock.now - start).seconds)
    }
    let t = median(Array(times.dropFirst()))
    print(
        #"{"reader": "ingot", "documents": \#(documents), "text_MB": \#(String(format: "%.1f", Double(textBytes) / 1e6)), "first_s": \#(String(format: "%.3f", times[0])), "seconds": \#(String(format: "%.3f", t)), "MB_per_s": \#(String(format: "%.1f", Double(textBytes) / 1e6 / t))}"#
    )
}

if mode == "parquet" {
    try benchmarkParquet(corpus, field: arguments.count > 3 ? arguments[3] : "text")
    exit(0)
}

let clock = ContinuousClock()
let loadStart = clock.now
let tokenizer = try Tokenizer.load(contentsOf: tokenizerPath)
let loadSeconds = (clock.now - loadStart).seconds

switch mode {
case "tokenize":
    let texts = try readTexts(corpus, limitMB: arguments.count > 4 ? Double(arguments[4]) : nil)
    let bytes = texts.reduce(0) { $0 + $1.count }
    var times: [Double] = []
    var tokens = 0
    for _ in 0..<5 {
        // Every pass cold: an empty piece cache, as in a fresh process.
        var encoder = tokenizer.withEmptyPieceCache().makeEncoder()
        var ids: [UInt32] = []
        ids.reserveCapacity(1 << 16)
        tokens = 0
        let start = clock.now
        for text in texts {
            ids.removeAll(keepingCapacity: true)
            text.withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
            tokens += ids.count
        }
        times.append((clock.now - start).seconds)
    }
    let t = median(times)
    print(
        #"{"tool": "ingot", "documents": \#(texts.count), "MB": \#(String(format: "%.1f", Double(bytes) / 1e6)), "seconds": \#(String(format: "%.3f", t)), "MB_per_s": \#(String(format: "%.2f", Double(bytes) / 1e6 / t)), "cold_first_pass_MB_per_s": \#(String(format: "%.2f", Double(bytes) / 1e6 / times[0])), "tokens": \#(tokens), "Mtok_per_s": \#(String(format: "%.3f", Double(tokens) / 1e6 / t)), "tokenizer_load_s": \#(String(format: "%.3f", loadSeconds)), "min_s": \#(String(format: "%.3f", times.min()!))}"#
    )
case "pack":
    let seqLen = arguments.count > 4 ? Int(arguments[4])! : 2048
    let texts = try readTexts(corpus, limitMB: nil)
    let eos = tokenizer.eosTokenID!
    let documents = texts.map { text in
        TokenizedDocument(tokens: tokenizer.encode(String(decoding: text, as: UTF8.self)) + [eos], location: .init(path: corpus, line: 0))
    }
    let totalTokens = documents.reduce(0) { $0 + $1.tokens.count }
    for strategy in [Pack.Strategy.greedy, .bestFit()] {
        var times: [Double] = []
        var padding = 0
        var rows = 0
        var split = 0
        for _ in 0..<5 {
            var stage = Pack(seqLen: seqLen, padID: eos, strategy: strategy)
            let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "bench"))
            padding = 0
            rows = 0
            let start = clock.now
            for document in documents {
                try stage.process(document, context: context) { row in
                    rows += 1
                    padding += row.paddingCount
                }
            }
            try stage.finish(context: context) { row in
                rows += 1
                padding += row.paddingCount
            }
            times.append((clock.now - start).seconds)
            split = context.statistics.splitDocuments
        }
        let t = median(times)
        print(
            #"{"strategy": "\#(strategy)", "seq_len": \#(seqLen), "documents": \#(documents.count), "rows": \#(rows), "padding_pct": \#(String(format: "%.3f", 100 * Double(padding) / Double(rows * seqLen))), "split_documents": \#(split), "seconds": \#(String(format: "%.3f", t)), "Mtok_per_s": \#(String(format: "%.1f", Double(totalTokens) / 1e6 / t))}"#
        )
    }
case "load":
    // Tokenizer load phases: JSON parse alone, then the whole load (median of 5).
    let data = try Data(contentsOf: URL(fileURLWithPath: tokenizerPath))
    var parse: [Double] = []
    var load: [Double] = []
    for _ in 0..<(Int(ProcessInfo.processInfo.environment["LOAD_REPEAT"] ?? "5") ?? 5) {
        var start = clock.now
        _ = try JSONValue.parse(data)
        parse.append((clock.now - start).seconds)
        start = clock.now
        _ = try Tokenizer.load(contentsOf: tokenizerPath)
        load.append((clock.now - start).seconds)
    }
    print(#"{"tokenizer": "\#(tokenizerPath)", "json_parse_s": \#(String(format: "%.3f", median(parse))), "load_s": \#(String(format: "%.4f", median(load))), "load_min_s": \#(String(format: "%.4f", load.min()!))}"#)
case "json":
    // ReadCorpus (line split, UTF-8 validation, JSON validation, field extraction) against
    // Foundation's JSONSerialization extracting the same field, over the same bytes in memory.
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: corpus)))
    var ingotTimes: [Double] = []
    var documents = 0
    for _ in 0..<5 {
        var stage = ReadCorpus(field: "text")
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "bench"))
        documents = 0
        let start = clock.now
        try stage.process(CorpusChunk(path: corpus, records: JSONLineRecords(bytes: bytes), inputBytes: bytes.count), context: context) { _ in documents += 1 }
        ingotTimes.append((clock.now - start).seconds)
    }
    var foundationTimes: [Double] = []
    let data = Data(bytes)
    for _ in 0..<3 {
        var count = 0
        let start = clock.now
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: line) as! [String: Any]
            if object["text"] is String { count += 1 }
        }
        foundationTimes.append((clock.now - start).seconds)
        precondition(count == documents)
    }
    let mb = Double(bytes.count) / 1e6
    print(#"{"reader": "ingot ReadCorpus", "documents": \#(documents), "MB": \#(String(format: "%.1f", mb)), "MB_per_s": \#(String(format: "%.0f", mb / median(ingotTimes)))}"#)
    print(#"{"reader": "Foundation JSONSerialization", "documents": \#(documents), "MB": \#(String(format: "%.1f", mb)), "MB_per_s": \#(String(format: "%.0f", mb / median(foundationTimes)))}"#)
case "chat":
    // Conversations parsed once; then renders alone (one per conversation), and whole examples
    // (the prefix renders of the mask rule, tokenization, offsets), each the median of 3 passes.
    let template = try ChatTemplate(
        try String(contentsOfFile: arguments[4], encoding: .utf8),
        variables: ["bos_token": .string(arguments[5]), "eos_token": .string(arguments[6])])
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: corpus)))
    var conversations: [Conversation] = []
    try JSONLineRecords(bytes: bytes).forEachRecord(path: corpus, context: StageContext(partition: 0, errorPolicy: .stop, logger: Logger(label: "bench"))) { record, _ in
        conversations.append(try ConversationFormat.messages.conversation(from: try record.value()))
    }
    var renderTimes: [Double] = []
    var rendered = 0
    let renderPasses = Int(ProcessInfo.processInfo.environment["INGOT_BENCH_RENDER_PASSES"] ?? "3") ?? 3
    for _ in 0..<renderPasses {
        rendered = 0
        let start = clock.now
        for conversation in conversations { rendered += try template.render(conversation).utf8.count }
        renderTimes.append((clock.now - start).seconds)
    }
    var exampleTimes: [Double] = []
    var tokens = 0
    for _ in 0..<3 where renderPasses <= 3 {
        var encoder = ChatEncoder(template: template, tokenizer: tokenizer, target: .assistant)
        tokens = 0
        let start = clock.now
        for conversation in conversations { tokens += try encoder.encode(conversation).ids.count }
        exampleTimes.append((clock.now - start).seconds)
    }
    let n = Double(conversations.count)
    print(#"{"tool": "ingot", "measure": "render", "conversations": \#(conversations.count), "rendered_MB": \#(String(format: "%.1f", Double(rendered) / 1e6)), "seconds": \#(String(format: "%.3f", median(renderTimes))), "renders_per_s": \#(String(format: "%.0f", n / median(renderTimes))), "MB_per_s": \#(String(format: "%.1f", Double(rendered) / 1e6 / median(renderTimes)))}"#)
    if !exampleTimes.isEmpty { print(#"{"tool": "ingot", "measure": "render+tokenize+mask", "conversations": \#(conversations.count), "tokens": \#(tokens), "seconds": \#(String(format: "%.3f", median(exampleTimes))), "examples_per_s": \#(String(format: "%.0f", n / median(exampleTimes)))}"#) }
default:
    print("unknown mode \(mode)")
    exit(2)
}
