import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    /// Encodes JSONL documents from stdin, one `{"ids": [...]}` line per document: the shell-level
    /// handle for comparing Ingot's ids with a reference library. With a chat template, encodes
    /// conversations as `sft` does: `{"ids": [...], "loss_mask": [...]}` per line.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode JSONL documents on stdin; write {\"ids\": [...]} per line.",
            discussion: """
                With --chat-template FILE (or --chat-mode for the template beside the tokenizer), each \
                non-blank line is a conversation and gets {"ids": [...], "loss_mask": [...]} as `sft` \
                writes them (the render's ids, no BOS added, special-token strings matched), or \
                {"error": ...} where the template refuses it or it is malformed; the stream goes on.
                """)

        @OptionGroup(title: "Tokenizer")
        var tokenizer: TokenizerOptions

        @OptionGroup(title: "Special tokens")
        var specialTokens: SpecialTokenOptions

        @Option(help: "JSON key of the text; dots reach nested objects (meta.body), numbers index arrays (messages.0.content).")
        var field: String = "text"

        @OptionGroup(title: "Chat (conversations instead of texts)")
        var chat: ChatTemplateOptions

        @Flag(help: "Encode conversations with the chat template beside the tokenizer (implied by --chat-template).")
        var chatMode = false

        @Option(help: "With a chat template: how records hold conversations (auto, messages, sharegpt, alpaca, prompt-completion).")
        var format: ConversationFormat = .auto

        @Option(help: "With a chat template: what the loss mask trains on (assistant, last-assistant, all).")
        var trainOn: TrainingTarget = .assistant

        func run() throws {
            try exitingOnError {
                if self.chatMode || self.chat.chatTemplate != nil { return try self.encodeConversations() }
                let tokenizer = try self.tokenizer.load()
                var encoder = tokenizer.makeEncoder()
                encoder.matchesAddedTokens = !self.specialTokens.splitSpecialTokens
                encoder.addsSpecialTokens = self.specialTokens.addSpecialTokens ?? false
                var stage = ReadCorpus(field: self.field)
                let context = StageContext(partition: 0, errorPolicy: .stop, logger: .init(label: "encode"))
                let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
                var out = BufferedOutput()
                var ids: [UInt32] = []
                let chunk = CorpusChunk(path: "<stdin>", records: JSONLineRecords(bytes: input), inputBytes: input.count)
                try stage.process(chunk, context: context) { document in
                    ids.removeAll(keepingCapacity: true)
                    document.text.withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
                    out.write { line in
                        line += #"{"ids": "#.utf8
                        JSONIntegers.append(ids, to: &line)
                        line += "}\n".utf8
                    }
                }
            }
        }

        /// Conversations in, ids and loss masks out, one line each.
        private func encodeConversations() throws {
            let template = try self.chat.load(besideTokenizer: try self.tokenizer.path())
            var encoder = ChatEncoder(template: template, tokenizer: try self.tokenizer.load(), target: self.trainOn)
            var out = BufferedOutput()
            try ConversationLines.forEach(format: self.format) { _, conversation in
                do throws(ChatError) {
                    let example = try encoder.encode(conversation.get())
                    out.write { line in
                        line += #"{"ids": "#.utf8
                        JSONIntegers.append(example.ids, to: &line)
                        line += #", "loss_mask": "#.utf8
                        JSONIntegers.append(example.mask, to: &line)
                        line += "}\n".utf8
                    }
                } catch {
                    out.write(ConversationLines.errorLine(error.message) + "\n")
                }
            }
        }
    }
}
