public import Logging

/// What a stage may consult and record while it runs: the error policy, the statistics of the
/// partition being processed, and a logger.
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
}

@available(*, unavailable)
extension StageContext: Sendable {}
