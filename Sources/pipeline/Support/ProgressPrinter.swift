import Foundation
import Ingot

/// Prints progress on stderr: one line rewritten in place on a terminal, plain periodic lines
/// otherwise (logs, CI).
struct ProgressPrinter: ProgressReporter {
    let isTerminal: Bool
    let interval: Duration

    init() {
        self.isTerminal = isatty(STDERR_FILENO) != 0
        self.interval = self.isTerminal ? .milliseconds(250) : .seconds(10)
    }

    func report(_ s: ProgressSnapshot) {
        let percent = s.totalInputBytes > 0 ? 100 * Double(s.inputBytes) / Double(s.totalInputBytes) : 100
        var line =
            "\(Format.percent(percent)) \(Format.bytes(s.inputBytes))/\(Format.bytes(s.totalInputBytes))  "
            + "\(Format.count(s.documents)) docs  \(Format.count(s.tokens)) tokens  \(Format.count(s.rows)) rows  "
            + "\(Format.decimal(s.megabytesPerSecond)) MB/s"
        if let eta = s.estimatedRemaining { line += "  ETA \(Format.duration(eta))" }
        if self.isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        } else {
            FileHandle.standardError.write(Data("progress: \(line)\n".utf8))
        }
    }

    /// Ends the in-place line before other output.
    func finish() {
        if self.isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
