import Foundation
import IngotCore
import IngotTestSupport
import IngotTokenizers
import Testing

/// A tokenizer reports the SHA-256 of the bytes it was built from (what a dataset records as
/// its tokenizer), whichever loader read them.
@Suite struct FileDigestTests {
    static func expectDigest(of path: String) throws {
        let tokenizer = try Tokenizer.load(contentsOf: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(tokenizer.fileSHA256 == SHA256.hex(bytes), "\(path)")
        #expect(tokenizer.fileSHA256.count == 64)
    }

    @Test func bundledTokenizerJSON() throws {
        try Self.expectDigest(of: TestPaths.packageRoot.appendingPathComponent("Samples/tokenizers/gpt2/tokenizer.json").path)
    }

    @Test(.requiresSharedFixtures, arguments: ["cl100k_base/cl100k_base.tiktoken", "llama2-7b/tokenizer.model", "mistral-nemo-tekken/tekken_240718.json"])
    func everyLoader(_ file: String) throws {
        try Self.expectDigest(of: TestPaths.shared.appendingPathComponent("tokenizers/\(file)").path)
    }
}
