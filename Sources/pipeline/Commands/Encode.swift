import ArgumentParser
import Foundation
import Ingot
import IngotSystem

extension PipelineCommand {
    /// Encodes JSONL documents from stdin, one `{"ids": [...]}` line per document: the shell-level
    /// handle for comparing Ingot's ids with a reference library. With a chat template, encodes
    /// conversations as `sft` does: `{"ids": [...], "loss_mask": [...]}` per line.
    struct Encode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "encode",
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

        @Option(help: "Parallel workers for texts (default: every core). Output is in input order whatever the count.")
        var workers: Int?

        func validate() throws {
            if let workers = self.workers, workers <= 0 { throw ValidationError("--workers must be positive") }
        }

        func run() async throws {
            try await exitingOnError {
                if self.chatMode || self.chat.chatTemplate != nil { return try await self.encodeConversations() }
                try await self.encodeTexts()
            }
        }

        /// Texts in, ids out: stdin is cut into slices of whole lines, encoded on every core and
        /// written back in input order. A slice's error stops the stream after the lines before it,
        /// as a single pass would.
        private func encodeTexts() async throws {
            let tokenizer = try await self.tokenizer.load()
            let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            let slices = LineSlices(input, targetBytes: 1 << 20)
            let workers = max(1, self.workers ?? ProcessInfo.processInfo.activeProcessorCount)
            let field = FieldPath(self.field)
            let matchesAddedTokens = !self.specialTokens.splitSpecialTokens
            let addsSpecialTokens = self.specialTokens.addSpecialTokens ?? false
            try await withThrowingTaskGroup(of: (Int, EncodedSlice).self) { group in
                var started = 0
                func start() {
                    let index = started
                    let slice = slices[index]
                    started += 1
                    group.addTask {
                        var encoder = tokenizer.makeEncoder()
                        encoder.matchesAddedTokens = matchesAddedTokens
                        encoder.addsSpecialTokens = addsSpecialTokens
                        return (index, EncodedSlice.encode(slice, field: field, with: &encoder))
                    }
                }
                // `workers` slices are encoded at a time; finished ones wait for those before them,
                // at most two per worker (memory stays a few slices, whatever the input size).
                var running = 0
                var ready: [Int: EncodedSlice] = [:]
                var written = 0
                func refill() {
                    while running < workers && started < slices.count && started - written < 2 * workers {
                        start()
                        running += 1
                    }
                }
                refill()
                while let (index, slice) = try await group.next() {
                    running -= 1
                    ready[index] = slice
                    while let next = ready.removeValue(forKey: written) {
                        FileHandle.standardOutput.write(Data(next.output))
                        if let failure = next.failure {
                            group.cancelAll()
                            throw failure
                        }
                        written += 1
                    }
                    refill()
                }
            }
        }

        /// Conversations in, ids and loss masks out, one line each (one thread: conversations are
        /// rendered in order).
        private func encodeConversations() async throws {
            let template = try self.chat.load(besideTokenizer: try self.tokenizer.path())
            var encoder = ChatEncoder(template: template, tokenizer: try await self.tokenizer.load(), target: self.trainOn)
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

/// Whole lines of a byte buffer, cut into slices of about `targetBytes`, each with the number
/// of its first line (for error locations).
struct LineSlices: Sendable {
    struct Slice: Sendable {
        let bytes: [UInt8]
        let firstLine: Int
    }

    private let input: [UInt8]
    private let bounds: [(range: Range<Int>, firstLine: Int)]

    init(_ input: [UInt8], targetBytes: Int) {
        self.input = input
        var bounds: [(Range<Int>, Int)] = []
        input.withUnsafeBytes { input in
            var start = 0
            var line = 1
            while start < input.count {
                var end = min(input.count, start + targetBytes)
                if end < input.count {
                    // Past the window's last newline, or at the end of a line longer than the window.
                    if let cut = ByteSearch.lastIndex(of: 0x0A, in: input, before: end), cut >= start {
                        end = cut + 1
                    } else {
                        end = ByteSearch.firstIndex(of: 0x0A, in: input, from: end).map { $0 + 1 } ?? input.count
                    }
                }
                bounds.append((start..<end, line))
                line += ByteSearch.count(of: 0x0A, in: UnsafeRawBufferPointer(rebasing: input[start..<end]))
                start = end
            }
        }
        self.bounds = bounds
    }

    var count: Int { self.bounds.count }

    subscript(index: Int) -> Slice {
        Slice(bytes: Array(self.input[self.bounds[index].range]), firstLine: self.bounds[index].firstLine)
    }
}

/// One slice's `{"ids": [...]}` lines, and the error that stopped it, if any.
struct EncodedSlice: Sendable {
    var output: [UInt8] = []
    var failure: (any Error)?

    /// Encodes the slice's records one at a time (not through `ReadCorpus`, which reads a whole
    /// chunk before emitting any of it): the lines before a bad one are written.
    static func encode(_ slice: LineSlices.Slice, field: FieldPath, with encoder: inout Tokenizer.Encoder) -> EncodedSlice {
        var result = EncodedSlice()
        result.output.reserveCapacity(slice.bytes.count * 2)
        let context = StageContext(partition: 0, errorPolicy: .stop, logger: .init(label: "encode"))
        let records = JSONLineRecords(bytes: slice.bytes, firstLine: slice.firstLine)
        var text: [UInt8] = []
        var ids: [UInt32] = []
        do {
            try records.forEachRecord(path: "<stdin>", context: context) { record, location in
                text.removeAll(keepingCapacity: true)
                do throws(SkipReason) {
                    try record.text(at: field, into: &text)
                } catch {
                    try context.reject(error, at: location)  // throws: the policy is .stop
                    return
                }
                ids.removeAll(keepingCapacity: true)
                text.withUnsafeBufferPointer { encoder.encode($0, into: &ids) }
                result.output += #"{"ids": "#.utf8
                JSONIntegers.append(ids, to: &result.output)
                result.output += "}\n".utf8
            }
        } catch {
            result.failure = error
        }
        return result
    }
}
