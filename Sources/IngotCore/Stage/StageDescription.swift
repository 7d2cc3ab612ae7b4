/// What a chain of stages says about the dataset it writes, gathered before the run starts by
/// ``Stage/describe(_:)``: the single source of truth for the options recorded in the index, the
/// counters shown in the summary and the shard layout the writer is built for.
///
/// Two stages that record the same option with different values (a packer for 2048-token rows
/// in front of a writer for 1024) are a conflict, reported before any input is read.
public struct StageDescription: Sendable {
    /// The options that shaped the output, by name (`packing`, `seq_len`, ...).
    public private(set) var options: [String: String] = [:]
    /// Counter keys the stages keep (``StageContext/count(_:by:)``), reported even when zero.
    public private(set) var counters: Set<String> = []
    /// Drop reasons the stages may use (``StageContext/drop(_:at:)``), reported even when zero.
    public private(set) var dropReasons: Set<String> = []
    /// The top-level fields of input records the stages read, when they say (``readsFields(_:)``):
    /// a columnar input (Parquet) reads only these columns. Nil: every field.
    public private(set) var inputFields: Set<String>?
    /// Disagreements between stages, one sentence each.
    public private(set) var conflicts: [String] = []
    private var facts: [ObjectIdentifier: (value: any Sendable, matches: @Sendable (any Sendable) -> Bool)] = [:]

    public init() {}

    /// Records an option that shaped the output. Recording the same value twice is fine.
    public mutating func record(_ option: String, _ value: some CustomStringConvertible) {
        let text = value.description
        if let existing = self.options[option], existing != text {
            self.conflicts.append("stages disagree on \(option): \(existing) and \(text)")
            return
        }
        self.options[option] = text
    }

    /// Declares top-level record fields the stage reads (their union is read).
    public mutating func readsFields(_ fields: some Sequence<String>) {
        self.inputFields = (self.inputFields ?? []).union(fields)
    }

    /// Declares a counter the stage keeps, so it appears (as 0) even if never bumped.
    public mutating func declareCounter(_ key: String) {
        self.counters.insert(key)
    }

    /// Declares a reason the stage may drop documents for, so it appears (as 0) even if unused.
    public mutating func declareDropReason(_ reason: String) {
        self.dropReasons.insert(reason)
    }

    /// A typed fact about the chain (the shard layout): set once; a different second value is a conflict.
    public subscript<Key: StageDescriptionKey>(key: Key.Type) -> Key.Value? {
        get { self.facts[ObjectIdentifier(key)]?.value as? Key.Value }
        set {
            guard let newValue else {
                self.facts[ObjectIdentifier(key)] = nil
                return
            }
            if let existing = self.facts[ObjectIdentifier(key)], !existing.matches(newValue) {
                self.conflicts.append("stages disagree on \(Key.name):\n  \(existing.value)\n  \(newValue)")
                return
            }
            self.facts[ObjectIdentifier(key)] = (newValue, { ($0 as? Key.Value) == newValue })
        }
    }

    /// Whether two chains describe the same dataset (options, counters and facts).
    public func describesSameDataset(as other: StageDescription) -> Bool {
        guard self.options == other.options, self.counters == other.counters, self.dropReasons == other.dropReasons,
            self.inputFields == other.inputFields,
            self.facts.keys == other.facts.keys
        else { return false }
        return self.facts.allSatisfy { key, fact in other.facts[key].map { fact.matches($0.value) } ?? false }
    }
}

/// The key of a typed fact in a ``StageDescription`` (as SwiftUI's `EnvironmentKey`).
public protocol StageDescriptionKey {
    associatedtype Value: Sendable & Equatable
    /// How the fact is named in conflict messages.
    static var name: String { get }
}
