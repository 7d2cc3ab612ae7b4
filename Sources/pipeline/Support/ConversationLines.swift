import Foundation
import Ingot

/// Conversations on stdin for the checking commands (`render`, `encode --chat-template`): one
/// result per non-blank line, so that each input line gets exactly one output line, an error
/// line where the conversation is malformed or the template refuses it.
enum ConversationLines {
    /// Calls `body` with each non-blank line's number and its conversation, or the reason there
    /// is none (`<stdin>:LINE: reason`).
    static func forEach(format: ConversationFormat, _ body: (Int, Result<Conversation, ChatError>) throws -> Void) throws {
        let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        var lineNumber = 0
        for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let result: Result<Conversation, ChatError>
            do {
                result = .success(try format.conversation(from: try JSONValue.parse(line)))
            } catch let error as ChatError {
                result = .failure(ChatError(key: error.key, "<stdin>:\(lineNumber): \(error.message)"))
            } catch {
                result = .failure(ChatError(key: "malformed_json", "<stdin>:\(lineNumber): malformed JSON: \(error)"))
            }
            try body(lineNumber, result)
        }
    }

    /// `{"error": "..."}`.
    static func errorLine(_ message: String) -> String {
        JSONValue.object([("error", .string(message))]).jsonText
    }
}
