import IngotChat
import IngotJSON
import IngotJinja
import IngotTestSupport
import IngotTokenizers
import Testing

/// For templates that render messages one by one, the mask's prefix renders are spliced from one
/// render instead of rendered again. On every shared template and conversation, both ways must
/// give the same trained spans (or the same refusal), to the byte; the templates the static check
/// accepts are listed, so that a change to it shows.
@Suite(.requiresSharedFixtures) struct SplicedPrefixTests {
    /// The templates of ../shared/chat whose message loop the check accepts.
    static let incremental: Set<String> = ["chatml", "deepseek_v2", "llama3", "llava", "phi_3", "phi_35", "qwen2_vl"]

    @Test(arguments: RenderOracleTests.templateNames)
    func splicedPrefixesMatchRenderedOnes(_ name: String) throws {
        let tokenizer = try Tokenizer.load(contentsOf: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path)
        let template = try ChatFixtures.template(name)
        for target in [TrainingTarget.assistant, .lastAssistant] {
            var spliced = ChatEncoder(template: template, tokenizer: tokenizer, target: target, splicesPrefixRenders: true)
            var rendered = ChatEncoder(template: template, tokenizer: tokenizer, target: target, splicesPrefixRenders: false)
            #expect(spliced.rendersMessagesIncrementally == Self.incremental.contains(name), "\(name)")
            for (id, conversation) in try ChatFixtures.conversations().sorted(by: { $0.key < $1.key }) {
                let a = Result { () throws(ChatError) in try spliced.render(conversation) }
                let b = Result { () throws(ChatError) in try rendered.render(conversation) }
                switch (a, b) {
                case (.success(let x), .success(let y)):
                    #expect(x.text == y.text && x.trained == y.trained, "\(name) \(id) \(target): \(x.trained ?? []) vs \(y.trained ?? [])")
                case (.failure(let x), .failure(let y)):
                    #expect(x == y, "\(name) \(id) \(target)")
                default:
                    Issue.record("\(name) \(id) \(target): \(a) vs \(b)")
                }
            }
        }
    }
}
