import Foundation
import IngotTestSupport
import Testing

/// docs/writing-a-stage.md shows the code of `Examples/WritingAStage.swift` verbatim: the
/// example a reader copies is the one the tests compile and run.
@Suite struct DocsExampleTests {
    @Test(arguments: ["filter", "source", "pipeline"])
    func documentQuotesTheTestedExample(_ region: String) throws {
        let source = try String(
            contentsOf: TestPaths.packageRoot.appendingPathComponent("Tests/IngotTests/Examples/WritingAStage.swift"), encoding: .utf8)
        let document = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/writing-a-stage.md"), encoding: .utf8)
        let begin = try #require(source.range(of: "// docs:begin \(region)\n"))
        let end = try #require(source.range(of: "// docs:end", range: begin.upperBound..<source.endIndex))
        let code = String(source[begin.upperBound..<end.lowerBound])
        #expect(code.count > 200)
        #expect(document.contains("```swift\n" + code + "```"), "docs/writing-a-stage.md no longer quotes the '\(region)' example")
    }
}
