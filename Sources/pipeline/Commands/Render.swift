import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    /// Renders conversations from stdin with a chat template: the text transformers'
    /// `apply_chat_template(tokenize=False)` gives. The shell-level handle for checking a template
    /// against transformers, and with `--highlight` for seeing what `sft` trains on.
    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Render conversations on stdin with a chat template; write {\"text\": ...} or {\"error\": ...} per line.",
            discussion: """
                Each non-blank stdin line is a conversation in any format `sft` reads (messages with \
                tools, sharegpt, alpaca, prompt-completion), and gets one output line: the render, or \
                the template's refusal or the conversation's defect as {"error": ...}; the stream goes on. \
                With --highlight, prints each render as text with the tokens `sft` trains on in green.
                """)

        @OptionGroup(title: "Tokenizer (for the template beside it, and --highlight)")
        var tokenizer: TokenizerOptions

        @OptionGroup(title: "Chat template")
        var chat: ChatTemplateOptions

        @Option(help: "How records hold conversations: auto, messages, sharegpt, alpaca, prompt-completion.")
        var format: ConversationFormat = .auto

        @Option(help: "What --highlight shows as trained: assistant, last-assistant, all.")
        var trainOn: TrainingTarget = .assistant

        @Flag(help: "End the render with the assistant header (add_generation_prompt=True), as for generation.")
        var addGenerationPrompt = false

        @Flag(help: "Print each render as text, the tokens trained on in green, instead of JSON.")
        var highlight = false

        func validate() throws {
            if self.addGenerationPrompt && self.highlight {
                throw ValidationError("--add-generation-prompt renders for generation: there is no mask for --highlight to show")
            }
        }

        func run() async throws {
            try await exitingOnError {
                let template = try self.chat.load(besideTokenizer: try self.tokenizer.path())
                var encoder = try await self.highlight ? ChatEncoder(template: template, tokenizer: self.tokenizer.load(), target: self.trainOn) : nil
                var out = BufferedOutput()
                try ConversationLines.forEach(format: self.format) { _, conversation in
                    switch conversation {
                    case .failure(let error):
                        out.write(ConversationLines.errorLine(error.message) + "\n")
                    case .success(let conversation) where encoder != nil:
                        do throws(ChatError) {
                            out.write(Self.highlighted(try encoder!.encode(conversation), encoder!.tokenizer) + "\n")
                        } catch {
                            out.write(ConversationLines.errorLine(error.message) + "\n")
                        }
                    case .success(let conversation):
                        do throws(JinjaError) {
                            let text = try template.render(conversation, addGenerationPrompt: self.addGenerationPrompt)
                            out.write(JSONValue.object([("text", .string(text))]).jsonText + "\n")
                        } catch {
                            out.write(ConversationLines.errorLine(error.description) + "\n")
                        }
                    }
                }
            }
        }

        /// The render with trained runs of tokens in green (ANSI), a rule between conversations.
        static func highlighted(_ example: ChatExample, _ tokenizer: Tokenizer) -> String {
            var text = ""
            var start = 0
            while start < example.ids.count {
                var end = start
                while end < example.ids.count && example.mask[end] == example.mask[start] { end += 1 }
                let piece = tokenizer.decode(example.ids[start..<end])
                text += example.mask[start] == 1 ? "\u{1B}[32m\(piece)\u{1B}[0m" : piece
                start = end
            }
            return text + "\n" + String(repeating: "─", count: 40)
        }
    }
}
