/// A snapshot of a run in flight, for progress lines.
public struct ProgressSnapshot: Sendable {
    public var elapsed: Duration
    public var inputBytes: Int
    public var totalInputBytes: Int
    public var documents: Int
    public var tokens: Int
    public var rows: Int

    /// Input megabytes (10^6 bytes) per second so far.
    public var megabytesPerSecond: Double {
        let seconds = self.elapsed.seconds
        return seconds > 0 ? Double(self.inputBytes) / 1e6 / seconds : 0
    }

    /// Estimated time left, from the input bytes consumed so far.
    public var estimatedRemaining: Duration? {
        guard self.inputBytes > 0, self.totalInputBytes > self.inputBytes else { return nil }
        let seconds = self.elapsed.seconds * Double(self.totalInputBytes - self.inputBytes) / Double(self.inputBytes)
        return .milliseconds(Int64(seconds * 1000))
    }
}

/// Receives progress snapshots during a run (the CLI prints them on stderr).
public protocol ProgressReporter: Sendable {
    /// How often to report.
    var interval: Duration { get }
    func report(_ snapshot: ProgressSnapshot)
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        let (s, attoseconds) = self.components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
