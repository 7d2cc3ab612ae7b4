import IngotChat
import IngotJSON
import IngotTestSupport
import IngotTokenizers
import Testing

/// `../shared/chat/oracle_tokens.jsonl`: for four template + tokenizer pairs (Llama 3, Mistral v1,
/// Mistral v2/v3, ChatML on GPT-2), the token ids transformers gives every conversation that
/// ends with an assistant reply, and the assistant-only loss mask of `make_oracle.py`, or the
/// reason there is none. Ingot must give the same ids, the same mask, and refuse the same
/// conversations.
@Suite(.requiresSharedFixtures) struct MaskOracleTests {
    struct Pair: Sendable, CustomTestStringConvertible {
        let template: String
        let tokenizer: String
        var testDescription: String { "\(self.template) + \(self.tokenizer)" }
    }

    static let pairs = [
        Pair(template: "llama3", tokenizer: "llama3-8b"), Pair(template: "mistral_v1", tokenizer: "mistral-7b-v0.1"),
        Pair(template: "mistral_v2v3", tokenizer: "mistral-7b-v0.1"), Pair(template: "chatml", tokenizer: "gpt2"),
    ]

    @Test(arguments: pairs)
    func idsAndMasksMatchTransformers(_ pair: Pair) throws {
        let rows = try ChatFixtures.jsonLines("oracle_tokens.jsonl").filter {
            $0["template"]?.stringValue == pair.template && $0["tokenizer"]?.stringValue == pair.tokenizer
        }
        #expect(rows.count > 100)
        let tokenizer = try Tokenizer.load(contentsOf: TestPaths.shared.appendingPathComponent("tokenizers/\(pair.tokenizer)/tokenizer.json").path)
        var encoder = ChatEncoder(template: try ChatFixtures.template(pair.template), tokenizer: tokenizer, target: .assistant)
        let conversations = try ChatFixtures.conversations()
        var mismatches: [String] = []
        var masks = 0
        for row in rows {
            let id = row["conversation"]?.stringValue ?? "?"
            let conversation = try #require(conversations[id])
            let expectedIDs = row["ids"]?.arrayValue?.compactMap { $0.intValue.map(UInt32.init) }
            let expectedMask = row["mask"]?.arrayValue?.compactMap { $0.intValue.map(UInt8.init) }
            let result: Result<ChatExample, ChatError>
            do { result = .success(try encoder.encode(conversation)) } catch { result = .failure(error) }
            switch (result, expectedMask) {
            case (.success(let example), let mask?):
                masks += 1
                if example.ids != expectedIDs { mismatches.append("\(id): ids differ (\(example.ids.count) vs \(expectedIDs?.count ?? 0))") }
                if example.mask != mask { mismatches.append("\(id): mask differs at tokens \(Self.differences(example.mask, mask).prefix(10))") }
            case (.failure(let error), nil):
                let reason = row["mask_error"]?.stringValue ?? ""
                let expectedKey = reason == "not prefix-stable" ? "not_prefix_stable" : "template_error"
                if error.key != expectedKey { mismatches.append("\(id): refused with \(error.key), the oracle: \(reason)") }
                if expectedKey == "template_error", !reason.hasSuffix(String(describing: error.message.split(separator: ": ", maxSplits: 1).last ?? "")) {
                    mismatches.append("\(id): refused with \(error.message), the oracle: \(reason)")
                }
                // Where transformers rendered, the ids are there even without a mask.
                if let expectedIDs {
                    var ids: [UInt32] = []
                    if case .success(let text) = Result(catching: { try encoder.template.render(conversation) }) {
                        ids = tokenizer.encode(text)
                    }
                    if ids != expectedIDs { mismatches.append("\(id): ids of the unmasked render differ") }
                }
            case (.success, nil):
                mismatches.append("\(id): gave a mask, the oracle refused: \(row["mask_error"]?.stringValue ?? "")")
            case (.failure(let error), _?):
                mismatches.append("\(id): refused (\(error)), the oracle has a mask")
            }
        }
        #expect(masks > 80)
        #expect(mismatches.count == 0, "\(mismatches.count) of \(rows.count) differ:\n\(mismatches.prefix(8).joined(separator: "\n"))")
    }

    static func differences(_ a: [UInt8], _ b: [UInt8]) -> [Int] {
        (0..<max(a.count, b.count)).filter { $0 >= a.count || $0 >= b.count || a[$0] != b[$0] }
    }
}
