import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    /// Encodes JSONL documents from stdin, one `{"ids": [...]}` line per document: the shell-level
    /// handle for comparing Ingot's ids with a reference library.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode JSONL documents on stdin; write {\"ids\": [...]} per line.")

        @OptionGroup(title: "Tokenizer")
        var tokenizer: TokenizerOptions

        @OptionGroup(title: "Special tokens")
        var specialTokens: SpecialTokenOptions

        @Option(help: "JSON key of the text; dots reach nested objects (meta.body), numbers index arrays (messages.0.content).")
        var field: String = "text"

        func run() throws {
            try exitingOnError {
                let tokenizer = try self.tokenizer.load()
                var encoder = tokenizer.makeEncoder()
                encoder.matchesAddedTokens = !self.specialTokens.splitSpecialTokens
                encoder.addsSpecialTokens = self.specialTokens.addSpecialTokens
                var stage = ReadCorpus(field: self.field)
                let context = StageContext(partition: 0, errorPolicy: .stop, logger: .init(label: "encode"))
                let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
                var out = [UInt8]()
                var ids: [UInt32] = []
                let chunk = CorpusChunk(path: "<stdin>", records: JSONLineRecords(bytes: input), inputBytes: input.count)
                try stage.process(chunk, context: context) { document in
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
                FileHandle.standardOutput.write(Data(out))
            }
        }
    }
}
