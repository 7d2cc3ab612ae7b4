import Foundation
import IngotChat
import IngotJSON
import IngotTestSupport

/// The chat fixtures of `../shared/chat`: templates, the variables each is rendered with,
/// conversations and transformers' renders.
enum ChatFixtures {
    static let directory = TestPaths.shared.appendingPathComponent("chat")

    static func jsonLines(_ name: String) throws -> [JSONValue] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
    }

    /// Conversations by id.
    static func conversations() throws -> [String: Conversation] {
        var out: [String: Conversation] = [:]
        for row in try jsonLines("conversations.jsonl") {
            guard case .string(let id)? = row["id"], case .array(let messages)? = row["messages"] else { continue }
            out[id] = Conversation(messages: messages.compactMap(ChatMessage.init), tools: row["tools"])
        }
        return out
    }

    static func templateSource(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("templates/\(name).jinja"), encoding: .utf8)
    }

    /// When the oracle was rendered: templates that print today's date (`strftime_now`) printed
    /// this one (midday UTC, the same calendar day in every time zone from UTC-11 to UTC+11).
    static let oracleDay = Date(timeIntervalSince1970: 1_795_953_600)

    /// The template `name` with the variables and the day the oracle rendered it with.
    static func template(_ name: String) throws -> ChatTemplate {
        let variables = try JSONValue.parse(Data(contentsOf: directory.appendingPathComponent("templates.json")))
        var values: [String: JSONValue] = ["date_string": .string("26 Jul 2024")]
        for (key, value) in (variables[name] ?? variables["default"])?.objectValue ?? [] { values[key] = value }
        return try ChatTemplate(try templateSource(name), variables: values, now: { oracleDay })
    }
}
