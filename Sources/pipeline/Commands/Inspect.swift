import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Show a dataset's schema, counts and statistics, and its first rows decoded to text.")

        @Argument(help: "The dataset directory (holding index.json).")
        var path: String

        @Option(help: "Rows to decode (0 for none).")
        var rows: Int = 2

        @OptionGroup(title: "Tokenizer to decode with (default: the bundled one, if its sha256 matches the dataset's)")
        var tokenizer: TokenizerOptions

        @Option(help: "Characters of text shown per document.")
        var width: Int = 240

        func run() async throws {
            try await exitingOnError {
                let reader = try DatasetReader(directory: self.path)
                let index = reader.index
                let s = index.statistics
                let columns = index.columns.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.dtype.rawValue)" }
                print("dataset     \(self.path)  (\(index.format) v\(index.formatVersion))")
                print("pipeline    \(index.pipeline.name)  \(index.pipeline.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
                print("rows        \(Format.count(index.totalRows)) x \(index.seqLen) tokens in \(index.shards.count) shards")
                print("columns     \(columns.joined(separator: ", "))")
                print("compression \(index.compression.codec)\(index.compression.level.map { " level \($0)" } ?? ""), \(index.compression.rowsPerFrame) rows per frame")
                print("tokenizer   \(index.tokenizer.name) sha256 \(index.tokenizer.sha256.prefix(16))…  vocab \(index.vocabularySize)  eos \(index.specialTokens.eos.map(String.init) ?? "-")  pad \(index.specialTokens.pad.map(String.init) ?? "-")  bos \(index.specialTokens.bos.map(String.init) ?? "-")")
                print("documents   read \(Format.count(s.documentsRead)), written \(Format.count(s.documentsWritten)), skipped \(Format.count(s.documentsSkipped))\(Format.breakdown(s.skipped)), dropped \(Format.count(s.documentsDropped))\(Format.breakdown(s.dropped))")
                print("tokens      \(Format.count(s.tokens)); padding \(Format.count(s.paddingTokens)) (\(Format.decimal(100 * s.paddingFraction, digits: 2))%); truncated \(Format.count(s.truncatedTokens)); split documents \(Format.count(s.splitDocuments))")
                let histogram = s.documentLengthHistogram.enumerated().filter { $0.element > 0 }.map { i, n in
                    i == 0 ? "0: \(n)" : "<\(1 << i): \(n)"
                }
                print("doc lengths \(histogram.joined(separator: "  "))")
                if !s.counters.isEmpty {
                    print("counters    \(s.counters.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", "))")
                }
                guard self.rows > 0, !index.shards.isEmpty else { return }
                guard let tokenizer = try await self.loadTokenizer(matching: index.tokenizer.sha256) else {
                    print("(pass --tokenizer to decode rows: the bundled tokenizer is not the dataset's)")
                    return
                }
                var shown = 0
                for shard in index.shards.indices where shown < self.rows {
                    for row in try reader.rows(ofShard: shard) where shown < self.rows {
                        print("\nrow \(shown) (\(index.shards[shard].name)): \(row.seqLen - row.paddingCount) real tokens, \(row.paddingCount) padding")
                        var segment: UInt32 = 0
                        var tokens: [UInt32] = []
                        func flush() {
                            if segment != 0 {
                                var text = tokenizer.decode(tokens)
                                if text.count > self.width { text = String(text.prefix(self.width)) + "…" }
                                print("  [doc \(segment), \(tokens.count) tokens] \(text.debugDescription)")
                            }
                        }
                        for (token, s) in zip(row.tokens, row.segmentIDs) {
                            if s != segment {
                                flush()
                                segment = s
                                tokens = []
                            }
                            tokens.append(token)
                        }
                        flush()
                        shown += 1
                    }
                }
            }
        }

        private func loadTokenizer(matching sha256: String) async throws -> Tokenizer? {
            if self.tokenizer.tokenizer != nil { return try await self.tokenizer.load() }
            guard let bundled = BundledDefaults.locate(BundledDefaults.tokenizer),
                let data = FileManager.default.contents(atPath: bundled), SHA256.hex(data) == sha256
            else { return nil }
            return try Tokenizer.load(contentsOf: bundled)
        }
    }
}
