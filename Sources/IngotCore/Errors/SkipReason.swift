/// Why a piece of input was rejected. Reported as `file:line: reason` when the run stops, or
/// counted under ``key`` in the run statistics with `--on-error skip`.
///
/// Readers throw it (typed) from the code that finds the defect; the stage that knows the
/// location hands it to ``StageContext/reject(_:at:)``.
public struct SkipReason: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable key: `malformed_json`, `missing_field`, ...
    public let key: String
    /// A human-readable explanation, with specifics.
    public let detail: String

    public init(key: String, detail: String) {
        self.key = key
        self.detail = detail
    }

    public var description: String { self.detail }

    public static func malformedJSON(_ detail: String) -> SkipReason {
        SkipReason(key: "malformed_json", detail: "malformed JSON: \(detail)")
    }
    public static func missingField(_ path: String) -> SkipReason {
        SkipReason(key: "missing_field", detail: "missing field '\(path)'")
    }
    public static func notAString(_ path: String, found: String) -> SkipReason {
        SkipReason(key: "field_not_string", detail: "field '\(path)' is \(found), expected a string")
    }
    public static func invalidUTF8(_ detail: String) -> SkipReason {
        SkipReason(key: "invalid_utf8", detail: "invalid UTF-8 \(detail)")
    }
    public static func truncated(_ detail: String) -> SkipReason {
        SkipReason(key: "truncated_file", detail: "truncated file: \(detail)")
    }
    public static let emptyFile = SkipReason(key: "empty_file", detail: "empty file")
}
