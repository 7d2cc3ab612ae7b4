/// What a run does with bad input (a malformed line, a missing field, invalid UTF-8, ...).
public struct ErrorPolicy: Sendable, Hashable, CustomStringConvertible {
    enum Wrapped: Sendable, Hashable {
        case stop
        case skip
    }

    let wrapped: Wrapped

    /// Stop the run at the first bad input with `file:line: reason` (the default).
    public static let stop = ErrorPolicy(wrapped: .stop)
    /// Skip bad input and count each skip by reason in the run's statistics.
    public static let skip = ErrorPolicy(wrapped: .skip)

    public var description: String {
        switch self.wrapped {
        case .stop: "stop"
        case .skip: "skip"
        }
    }

    public init?(_ name: String) {
        switch name {
        case "stop": self = .stop
        case "skip": self = .skip
        default: return nil
        }
    }

    init(wrapped: Wrapped) {
        self.wrapped = wrapped
    }
}
