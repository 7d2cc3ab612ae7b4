import Foundation
import Ingot

/// The table printed at the end of a run.
enum SummaryTable {
    static func render(_ report: RunReport, output: String) -> String {
        let s = report.statistics
        let seconds = max(report.wallTime.seconds, 1e-9)
        var skipped = Format.count(s.documentsSkipped)
        if !s.skipped.isEmpty {
            skipped += " (" + s.skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
        }
        let rows: [(String, String)] = [
            ("output", output),
            ("documents read", Format.count(s.documentsRead)),
            ("documents written", Format.count(s.documentsWritten)),
            ("documents skipped", skipped),
            ("tokens", Format.count(s.tokens)),
            ("rows", "\(Format.count(s.rows)) x \(report.index.seqLen) tokens"),
            ("padding", "\(Format.count(s.paddingTokens)) tokens (\(Format.decimal(100 * s.paddingFraction, digits: 2))%)"),
            ("truncated tokens", Format.count(s.truncatedTokens)),
            ("split documents", Format.count(s.splitDocuments)),
            ("shards", "\(report.index.shards.count) from \(report.partitions) partitions (\(report.workers) workers)"),
            ("input", Format.bytes(s.inputBytes)),
            ("output bytes", Format.bytes(report.outputBytes)),
            ("wall time", Format.duration(report.wallTime)),
            (
                "throughput",
                "\(Format.decimal(Double(s.inputBytes) / 1e6 / seconds)) MB/s, \(Format.count(Int(Double(s.tokens) / seconds))) tokens/s"
            ),
        ]
        let width = rows.map { $0.0.count }.max() ?? 0
        return rows.map { "  \($0.0.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.1)" }.joined(separator: "\n")
    }
}
