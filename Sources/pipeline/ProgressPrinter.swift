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

enum Format {
    static func decimal(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func percent(_ value: Double) -> String {
        String(format: "%5.1f%%", value)
    }

    static func count(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func duration(_ d: Duration) -> String {
        let seconds = d.seconds
        if seconds < 60 { return String(format: "%.2f s", seconds) }
        let s = Int(seconds.rounded())
        return s < 3600 ? "\(s / 60)m\(s % 60)s" : "\(s / 3600)h\(s % 3600 / 60)m"
    }
}
