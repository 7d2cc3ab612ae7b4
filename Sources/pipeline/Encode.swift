import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    /// Encodes JSONL documents from stdin, one `{"ids": [...]}` line per document: the shell-level
    /// handle for comparing Ingot's ids with a reference library.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode JSONL documents on stdin; write {\"ids\": [...]} per line.")

        @Option(help: "A tokenizer.json, *.tiktoken, tekken_*.json or SentencePiece .model file (default: the bundled GPT-2 tokenizer).")
        var tokenizer: String?

        @Option(help: "JSON key of the text; dots reach nested objects.")
        var field: String = "text"

        @Flag(help: "Tokenize special-token strings in the text as plain text.")
        var splitSpecialTokens = false

        @Flag(help: "Add what the tokenizer's post-processor adds (BOS/EOS, [CLS]/[SEP]), as add_special_tokens=True.")
        var addSpecialTokens = false

        func run() throws {
            guard let path = self.tokenizer ?? BundledDefaults.locate(BundledDefaults.tokenizer) else {
                throw ValidationError("no --tokenizer given and the bundled tokenizer is not found")
            }
            let tokenizer: Tokenizer
            do {
                tokenizer = try Tokenizer.load(contentsOf: path)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode.failure
            }
            var encoder = tokenizer.makeEncoder()
            encoder.matchesAddedTokens = !self.splitSpecialTokens
            encoder.addsSpecialTokens = self.addSpecialTokens
            var stage = ReadCorpus(field: self.field)
            let context = StageContext(partition: 0, errorPolicy: .stop, logger: .init(label: "encode"))
            let input = FileHandle.standardInput.readDataToEndOfFile()
            var out = [UInt8]()
            var ids: [UInt32] = []
            do {
                try stage.process(CorpusChunk(bytes: [UInt8](input), path: "<stdin>", format: .jsonl), context: context) { document in
                    ids.removeAll(keepingCapacity: true)
                    document.text.withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
                    out += Array(#"{"ids": ["#.utf8)
                    for (i, id) in ids.enumerated() {
                        if i > 0 { out += [0x2C, 0x20] }
                        out += Array(String(id).utf8)
                    }
                    out += Array("]}\n".utf8)
                    if out.count > 1 << 20 {
                        FileHandle.standardOutput.write(Data(out))
                        out.removeAll(keepingCapacity: true)
                    }
                }
            } catch let error as IngotError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode.failure
            }
            FileHandle.standardOutput.write(Data(out))
        }
    }
}
