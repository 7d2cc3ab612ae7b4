public import Logging

/// What a stage may consult and record while it runs: the error policy, the statistics of the
/// partition being processed, and a logger.
///
/// Every document read is accounted for in one of three ways: written (it reached a row),
/// skipped (bad input, ``reject(_:at:)``), or dropped (a filter's decision, ``drop(_:at:)``). The
/// runner checks `read == written + skipped + dropped` as each partition finishes.
///
/// One context exists per partition and is used by one worker only; it is deliberately not
/// `Sendable`.
public final class StageContext {
    /// What to do with bad input.
    public let errorPolicy: ErrorPolicy
    /// The partition being processed (fixed by the input, never by the worker count).
    public let partition: Int
    public let logger: Logger
    /// Counters for this partition; the runner merges them across partitions.
    public var statistics = RunStatistics()

    public init(partition: Int, errorPolicy: ErrorPolicy, logger: Logger) {
        self.partition = partition
        self.errorPolicy = errorPolicy
        self.logger = logger
    }

    /// Reports bad input: throws `file:line: reason` under ``ErrorPolicy/stop``, counts the skip
    /// under ``ErrorPolicy/skip``.
    public func reject(_ reason: SkipReason, at location: InputLocation) throws(IngotError) {
        switch self.errorPolicy.wrapped {
        case .stop:
            throw IngotError(.invalidInput, reason.detail, location: location)
        case .skip:
            self.statistics.recordSkip(reason)
            self.logger.debug("skipped input", metadata: ["location": "\(location)", "reason": "\(reason)"])
        }
    }

    /// Drops a document on purpose (a filter, a deduplicator): never an error, counted under
    /// `reason` (a stable key such as `shorter_than_min_tokens`) in the index and the summary.
    public func drop(_ reason: String, at location: InputLocation? = nil) {
        self.statistics.dropped[reason, default: 0] += 1
        self.logger.trace("dropped document", metadata: ["location": "\(location.map { "\($0)" } ?? "-")", "reason": "\(reason)"])
    }

    /// Adds `amount` to the stage counter `key` (`trained_tokens`, `duplicates_seen`...), which
    /// reaches the index and the summary with no other change.
    @inline(__always)
    public func count(_ key: String, by amount: Int = 1) {
        self.statistics.counters[key, default: 0] += amount
    }

    /// Throws `CancellationError` when the run is being cancelled (Ctrl-C, a failing sibling).
    /// Readers call it between documents, so a run stops within one document's work.
    @inline(__always)
    public func checkCancellation() throws(CancellationError) {
        if Task.isCancelled { throw CancellationError() }
    }
}

@available(*, unavailable)
extension StageContext: Sendable {}
