import Foundation
import Ingot

/// The table printed at the end of a run.
enum SummaryTable {
    static func render(_ report: RunReport, output: String) -> String {
        let s = report.statistics
        let seconds = max(report.wallTime.seconds, 1e-9)
        var rows: [(String, String)] = [
            ("output", output),
            ("documents read", Format.count(s.documentsRead)),
            ("documents written", Format.count(s.documentsWritten)),
            ("documents skipped", Format.count(s.documentsSkipped) + Format.breakdown(s.skipped)),
        ]
        if s.documentsDropped > 0 || !s.dropped.isEmpty {
            rows.append(("documents dropped", Format.count(s.documentsDropped) + Format.breakdown(s.dropped)))
        }
        rows += [
            ("tokens", Format.count(s.tokens)),
            ("rows", "\(Format.count(s.rows)) x \(report.index.seqLen) tokens"),
            ("padding", "\(Format.count(s.paddingTokens)) tokens (\(Format.decimal(100 * s.paddingFraction, digits: 2))%)"),
            ("truncated tokens", Format.count(s.truncatedTokens)),
            ("split documents", Format.count(s.splitDocuments)),
        ]
        // Whatever counters the pipeline's stages keep, by name.
        rows += s.counters.sorted { $0.key < $1.key }.map { ($0.key.replacingOccurrences(of: "_", with: " "), Format.count($0.value)) }
        rows += [
            (
                "shards",
                "\(report.index.shards.count) from \(report.partitions) partitions (\(report.workers) workers)"
                    + (report.resumedPartitions > 0
                        ? ", \(report.resumedPartitions) kept from \(report.task == nil ? "the interrupted run" : "an earlier run of this task")" : "")
            ),
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
