import Foundation
import IngotJSON
import IngotJinja
import Testing

/// `Fixtures/cases.jsonl`: templates exercising each part of the language (whitespace control,
/// operators, statements, every filter, test and method templates use, the sandbox's refusals),
/// rendered by Jinja2 in transformers' environment (`make_cases.py`). The interpreter must give
/// the same text, or the same error: kind and message, except for syntax errors, whose wording
/// (and line suffix) differs from Jinja2's and which are compared by kind.
@Suite struct ReferenceCaseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let template: String
        let variables: JSONValue
        let text: String?
        let error: String?
        var testDescription: String { self.name }
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cases.jsonl")

    static let cases: [Case] = {
        guard let text = try? String(contentsOf: fixture, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let row = try? JSONValue.parse(Array(line.utf8)), case .string(let name)? = row["name"],
                case .string(let template)? = row["template"]
            else { return nil }
            return Case(name: name, template: template, variables: row["variables"] ?? .object([]), text: row["text"]?.stringValue, error: row["error"]?.stringValue)
        }
    }()

    @Test func fixtureLoads() {
        #expect(Self.cases.count >= 120)
    }

    @Test(arguments: cases)
    func rendersAsJinja2(_ c: Case) throws {
        var variables: [String: JinjaValue] = [:]
        for (key, value) in c.variables.objectValue ?? [] { variables[key] = JinjaValue(json: value) }
        let result: Result<String, JinjaError>
        do {
            result = .success(try JinjaTemplate(c.template).render(variables))
        } catch {
            result = .failure(error)
        }
        switch (result, c.text, c.error) {
        case (.success(let got), let expected?, _):
            #expect(got == expected)
        case (.failure(let error), _, let expected?) where expected.hasPrefix("TemplateSyntaxError:"):
            #expect(error.kind == .syntax, "\(error)")
        case (.failure(let error), _, let expected?):
            #expect(error.description == expected)
        case (.success(let got), nil, let expected):
            Issue.record("rendered \(String(reflecting: got)), expected the error \(expected ?? "?")")
        case (.failure(let error), let expected?, nil):
            Issue.record("failed with \(error), expected \(String(reflecting: expected))")
        default:
            Issue.record("the case has neither text nor error")
        }
    }
}
