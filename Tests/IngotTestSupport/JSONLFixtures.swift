public import Foundation

/// Reads the shared oracle files (`cases.jsonl`, `<tokenizer>/oracle.jsonl`).
public enum JSONLFixtures {
    /// Parses each line of a JSONL file with Foundation (fixtures are small; the code under test
    /// uses its own parser, so the oracle side must not).
    public static func lines(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CocoaError(.fileReadCorruptFile)
            }
            return object
        }
    }

    /// (id, text, expected ids) for every case of one tokenizer's oracle file.
    public static func oracleCases(tokenizer: String, file: String = "oracle.jsonl") throws -> [(id: String, text: String, ids: [UInt32])] {
        let base = TestPaths.shared.appendingPathComponent("tokenizers")
        let cases = try lines(base.appendingPathComponent("cases.jsonl"))
        let oracle = try lines(base.appendingPathComponent(tokenizer).appendingPathComponent(file))
        var textByID: [String: String] = [:]
        for c in cases { textByID[c["id"] as! String] = (c["text"] as! String) }
        return oracle.map { entry in
            let id = entry["id"] as! String
            let ids = (entry["ids"] as! [NSNumber]).map { UInt32(truncating: $0) }
            return (id, textByID[id]!, ids)
        }
    }
}
