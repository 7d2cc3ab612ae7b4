import IngotChat
import IngotJSON
import IngotTestSupport
import Testing

/// Every template x conversation x add_generation_prompt of `../shared/chat/oracle_render.jsonl`
/// renders byte for byte as transformers renders it, and refuses where transformers refuses,
/// with the same error.
@Suite(.requiresSharedFixtures) struct RenderOracleTests {
    struct Case: Sendable {
        let template: String
        let conversation: String
        let addGenerationPrompt: Bool
        let expected: Result<String, Failure>
        struct Failure: Error, Equatable { let message: String }
    }

    static func cases() throws -> [String: [Case]] {
        var byTemplate: [String: [Case]] = [:]
        for row in try ChatFixtures.jsonLines("oracle_render.jsonl") {
            guard case .string(let template)? = row["template"], case .string(let conversation)? = row["conversation"],
                case .bool(let agp)? = row["add_generation_prompt"]
            else { continue }
            let expected: Result<String, Case.Failure> =
                if case .string(let text)? = row["text"] { .success(text) } else { .failure(.init(message: row["error"]?.stringValue ?? "")) }
            byTemplate[template, default: []].append(Case(template: template, conversation: conversation, addGenerationPrompt: agp, expected: expected))
        }
        return byTemplate
    }

    static let templateNames = [
        "alpaca", "chatml", "cohere", "command_a", "deepseek_v2", "exaone4", "falcon_h1", "gemma", "gemma3", "gemma4", "jamba",
        "llama3", "llama3_2_vision", "llava", "mistral_v1", "mistral_v2v3", "mistral_v3_tekken", "mistral_v7_tekken", "phi_3",
        "phi_35", "pixtral", "qwen2_vl", "qwen_25",
    ]

    @Test func everyTemplateIsCovered() throws {
        #expect(Set(try Self.cases().keys) == Set(Self.templateNames))
    }

    @Test(arguments: templateNames)
    func rendersAsTransformers(_ name: String) throws {
        let cases = try #require(try Self.cases()[name])
        let conversations = try ChatFixtures.conversations()
        let template = try ChatFixtures.template(name)
        #expect(cases.count == 2 * conversations.count)
        var mismatches: [String] = []
        for c in cases {
            let conversation = try #require(conversations[c.conversation])
            let got: Result<String, Case.Failure>
            do {
                got = .success(try template.render(conversation, addGenerationPrompt: c.addGenerationPrompt))
            } catch {
                got = .failure(.init(message: error.description))
            }
            if got != c.expected {
                mismatches.append("\(c.conversation) agp=\(c.addGenerationPrompt):\n  got      \(Self.show(got))\n  expected \(Self.show(c.expected))")
            }
        }
        #expect(mismatches.count == 0, "\(mismatches.count) of \(cases.count) differ:\n\(mismatches.prefix(6).joined(separator: "\n"))")
    }

    static func show(_ result: Result<String, Case.Failure>) -> String {
        switch result {
        case .success(let text): String(reflecting: String(text.prefix(600)))
        case .failure(let failure): "error \(failure.message)"
        }
    }
}
