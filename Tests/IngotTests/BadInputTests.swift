import Foundation
import Ingot
import IngotTestSupport
import Pipelines
import Testing

/// Bad input stops the run with `file:line: reason` and leaves nothing that looks like a dataset;
/// with `--on-error skip` it is counted by reason and every document is accounted for.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Writes the corpus into a directory and returns (file, expected line, expected reason key,
        /// expected message fragment).
        let make: @Sendable (URL) throws -> (URL, Int, String, String)
        var testDescription: String { self.name }
    }

    static let good = (0..<20).map { Fixtures.jsonLine("Document number \($0) has some words in it.", id: $0) }

    /// Enough poorly compressible text that half of the compressed file still holds complete blocks.
    static let incompressibleLines: [String] = {
        var state: UInt64 = 12345
        return (0..<6000).map { i in
            let words = (0..<12).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return String(state >> 20, radix: 36)
            }
            return Fixtures.jsonLine(words.joined(separator: " "), id: i)
        }
    }()

    /// A compressed corpus cut in half: the stream stops inside a frame or member.
    static func truncatedCompressedCorpus(in dir: URL, tool: String) throws -> URL {
        let plain = try Fixtures.writeLines(Self.incompressibleLines, to: "corpus.jsonl", in: dir)
        let compressed = try Fixtures.compress(plain, with: tool)
        try FileManager.default.removeItem(at: plain)
        let data = try Data(contentsOf: compressed)
        try data.prefix(data.count / 2).write(to: compressed)
        return compressed
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON") { dir in
            var lines = good
            lines[2] = #"{"id": 2, "text": "unterminated"#
            return (try Fixtures.writeLines(lines, to: "bad.jsonl", in: dir), 3, "malformed_json", "malformed JSON")
        },
        Case(name: "trailing garbage") { dir in
            var lines = good
            lines[4] = #"{"text": "ok"} extra"#
            return (try Fixtures.writeLines(lines, to: "bad.jsonl", in: dir), 5, "malformed_json", "trailing characters")
        },
        Case(name: "missing field") { dir in
            var lines = good
            lines[1] = #"{"id": 1, "body": "no text key"}"#
            return (try Fixtures.writeLines(lines, to: "bad.jsonl", in: dir), 2, "missing_field", "missing field 'text'")
        },
        Case(name: "number field") { dir in
            var lines = good
            lines[7] = #"{"id": 7, "text": 42}"#
            return (try Fixtures.writeLines(lines, to: "bad.jsonl", in: dir), 8, "field_not_string", "field 'text' is a number, expected a string")
        },
        Case(name: "null field") { dir in
            var lines = good
            lines[0] = #"{"text": null}"#
            return (try Fixtures.writeLines(lines, to: "bad.jsonl", in: dir), 1, "field_not_string", "field 'text' is null")
        },
        Case(name: "invalid UTF-8") { dir in
            var bytes = Array(good[0..<5].map { $0 + "\n" }.joined().utf8)
            bytes += Array(#"{"text": "caf"#.utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
            bytes += Array(good[5...].map { $0 + "\n" }.joined().utf8)
            return (try Fixtures.write(bytes, to: "bad.jsonl", in: dir), 6, "invalid_utf8", "invalid UTF-8 at byte 14")
        },
        Case(name: "lone surrogate escape") { dir in
            var lines = good
            lines[3] = #"{"text": "a\ud800b"}"#
            return (try Fixtures.writeLines(lines, to: "bad.jsonl", in: dir), 4, "invalid_utf8", "lone surrogate")
        },
        Case(name: "truncated zstd") { dir in
            (try Self.truncatedCompressedCorpus(in: dir, tool: "zstd"), -1, "truncated_file", "truncated file")
        },
        Case(name: "truncated gzip") { dir in
            (try Self.truncatedCompressedCorpus(in: dir, tool: "gzip"), -1, "truncated_file", "truncated file")
        },
        Case(name: "empty file") { dir in
            try Fixtures.writeLines(good, to: "a.jsonl", in: dir)
            return (try Fixtures.write([], to: "b.jsonl", in: dir), 0, "empty_file", "empty file")
        },
    ]

    @Test(arguments: cases)
    func stopsWithFileLineAndReason(_ c: Case) async throws {
        let dir = try TestPaths.makeTemporaryDirectory("bad-input")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (file, line, _, fragment) = try c.make(dir)
        let output = dir.appendingPathComponent("out")
        do {
            _ = try await RunnerTests.run(try Pretrain.defaults, inputs: [dir], output: output, workers: 2)
            Issue.record("the run should have failed")
        } catch let error as IngotError {
            #expect(error.code == .invalidInput)
            let description = error.description
            if line > 0 {
                #expect(description.hasPrefix("\(file.path):\(line): "), "\(description)")
            } else if line == 0 {
                #expect(description.hasPrefix("\(file.path): "), "\(description)")
            } else {
                #expect(description.hasPrefix("\(file.path):"), "\(description)")
                #expect(error.location!.line > 1, "a truncated stream reports the line where it stops")
            }
            #expect(description.contains(fragment), "\(description)")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        #expect(!left.contains("index.json"), "a failed run must not publish an index")
        #expect(!left.contains { $0.hasSuffix(".tmp") }, "temporary files must be removed: \(left)")
    }

    @Test(arguments: cases)
    func skipCountsEachReasonAndAccountsForEveryDocument(_ c: Case) async throws {
        let dir = try TestPaths.makeTemporaryDirectory("bad-input-skip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, _, key, _) = try c.make(dir)
        let output = dir.appendingPathComponent("out")
        let report = try await RunnerTests.run(try Pretrain.defaults, inputs: [dir], output: output, workers: 2, errorPolicy: .skip)
        let s = report.statistics
        #expect(s.skipped == [key: 1], "\(s.skipped)")
        #expect(s.documentsRead == s.documentsWritten + s.documentsSkipped)
        #expect(s.documentsWritten > 0)
        #expect(try DatasetReader(directory: output.path).index.statistics == s)
    }

    @Test func everyReasonInOneRunIsCountedSeparately() async throws {
        let dir = try TestPaths.makeTemporaryDirectory("bad-input-all")
        defer { try? FileManager.default.removeItem(at: dir) }
        var expected: [String: Int] = [:]
        for (i, c) in Self.cases.enumerated() {
            let sub = dir.appendingPathComponent("case\(i)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let (_, _, key, _) = try c.make(sub)
            expected[key, default: 0] += 1
        }
        let output = dir.appendingPathComponent("out")
        let report = try await RunnerTests.run(try Pretrain.defaults, inputs: [dir], output: output, workers: 3, errorPolicy: .skip)
        #expect(report.statistics.skipped == expected)
        #expect(report.statistics.documentsRead == report.statistics.documentsWritten + report.statistics.documentsSkipped)
    }

    @Test func unsupportedExplicitFileIsAConfigurationError() async throws {
        let dir = try TestPaths.makeTemporaryDirectory("bad-format")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Fixtures.write(Array("x".utf8), to: "data.csv", in: dir)
        await #expect(throws: IngotError.self) {
            _ = try await RunnerTests.run(try Pretrain.defaults, inputs: [file], output: dir.appendingPathComponent("out"), workers: 1)
        }
    }

    @Test func existingDatasetNeedsOverwrite() async throws {
        let dir = try TestPaths.makeTemporaryDirectory("overwrite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try Fixtures.writeLines(Self.good, to: "c.jsonl", in: dir)
        let output = dir.appendingPathComponent("out")
        _ = try await RunnerTests.run(try Pretrain.defaults, inputs: [corpus], output: output, workers: 1)
        do {
            _ = try await RunnerTests.run(try Pretrain.defaults, inputs: [corpus], output: output, workers: 1)
            Issue.record("a second run into the same directory must be refused")
        } catch let error as IngotError {
            #expect(error.description.contains("--overwrite"))
        }
    }
}
