import Foundation
import IngotTestSupport
@testable import IngotTokenizers
import Testing

/// The hand-written split scanners against the general regex engine running the regex each one
/// implements, on the hard cases and the sample corpora (English and multilingual).
@Suite(.requiresSharedFixtures) struct SplitPatternTests {
    static let texts: [String] = {
        var texts: [String] = []
        let shared = TestPaths.shared
        if let cases = try? JSONLFixtures.lines(shared.appendingPathComponent("tokenizers/cases.jsonl")) {
            texts += cases.compactMap { $0["text"] as? String }
        }
        for sample in ["corpus/sample-en.jsonl", "corpus/sample-multi.jsonl"] {
            // A slice of each sample keeps the general engine's share of the test short.
            if let lines = try? JSONLFixtures.lines(shared.appendingPathComponent(sample)) {
                texts += lines.prefix(120).compactMap { $0["text"] as? String }
            }
        }
        return texts
    }()

    @Test(arguments: SplitPattern.all.map(\.pattern))
    func scannerMatchesTheGeneralEngine(_ pattern: SplitPattern) throws {
        let general = try GeneralRegex(pattern.regex)
        #expect(Self.texts.count > 400)
        var mismatches: [String] = []
        for text in Self.texts {
            let bytes = Array(text.utf8)
            let scanned = TextPattern.scanner(pattern).matches(in: bytes)
            let matched = general.matches(in: bytes)
            if scanned != matched {
                let index = zip(scanned, matched).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(scanned.count, matched.count)
                let context = index < matched.count ? String(decoding: bytes[matched[index]], as: UTF8.self) : "<end>"
                mismatches.append("piece \(index) (regex: \(context.debugDescription)) of \(text.prefix(60).debugDescription)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) texts differ:\n\(mismatches.prefix(5).joined(separator: "\n"))")
    }

    @Test func unknownRegexesGoThroughTheGeneralEngine() throws {
        let pattern = try TextPattern.regex(#"\d+|[a-z]+"#)
        guard case .regex = pattern else {
            Issue.record("expected the general engine")
            return
        }
        #expect(pattern.matches(in: Array("ab12 cd".utf8)) == [0..<2, 2..<4, 5..<7])
        #expect(throws: GeneralRegex.SyntaxError.self) { try GeneralRegex("(unclosed") }
    }
}
