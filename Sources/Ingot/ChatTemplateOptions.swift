public import ArgumentParser
public import IngotChat
import IngotJSON
public import Foundation

/// Where the chat template comes from and the variables it sees: the options of the `sft`
/// pipeline and of `pipeline render`.
public struct ChatTemplateOptions: ParsableArguments, Sendable {
    @Option(help: "The chat template: a .jinja file, or a tokenizer_config.json (default: chat_template.jinja or tokenizer_config.json beside the tokenizer).")
    public var chatTemplate: String?

    @Option(help: "Which of several named templates in tokenizer_config.json (default: default).")
    public var chatTemplateName: String?

    @Option(help: "The bos_token the template sees (default: tokenizer_config.json's).")
    public var bosToken: String?

    @Option(help: "The eos_token the template sees (default: tokenizer_config.json's).")
    public var eosToken: String?

    @Option(help: "A date_string for templates that print one (Llama 3), instead of their default.")
    public var dateString: String?

    @Option(help: ArgumentHelp(
        "The moment strftime_now() reports, as 2024-07-26 (midday UTC) or 2024-07-26T09:30:00Z (default: now).",
        discussion: "Templates that print today's date (Llama 3.1+) render differently every day; fix the day for reproducible output."))
    public var now: FixedMoment?

    public init() {}

    /// The template: `--chat-template`, else the one beside the tokenizer file (asked for only
    /// then).
    public func load(besideTokenizer tokenizerPath: @autoclosure () throws -> String) throws -> ChatTemplate {
        var variables: [String: JSONValue] = [:]
        if let bosToken { variables["bos_token"] = .string(bosToken) }
        if let eosToken { variables["eos_token"] = .string(eosToken) }
        if let dateString { variables["date_string"] = .string(dateString) }
        // One moment for the whole run, so a run across midnight does not render two dates.
        let moment = self.now?.date ?? Date()
        let clock: @Sendable () -> Date = { moment }
        if let chatTemplate {
            return try ChatTemplate.load(contentsOf: chatTemplate, name: self.chatTemplateName, variables: variables, now: clock)
        }
        return try ChatTemplate.load(besideTokenizer: try tokenizerPath(), name: self.chatTemplateName, variables: variables, now: clock)
    }
}

/// A moment given on the command line: an ISO 8601 date and time, or a date alone, read as
/// midday UTC (the same calendar day from UTC-11 to UTC+11).
public struct FixedMoment: ExpressibleByArgument, Sendable, CustomStringConvertible {
    public let date: Date
    public let description: String

    public init?(argument: String) {
        let withTime = ISO8601DateFormatter()
        withTime.formatOptions = [.withInternetDateTime]
        let dayOnly = ISO8601DateFormatter()
        dayOnly.formatOptions = [.withFullDate]
        if let date = withTime.date(from: argument) {
            self.date = date
        } else if let day = dayOnly.date(from: argument) {
            self.date = day.addingTimeInterval(12 * 3600)
        } else {
            return nil
        }
        self.description = argument
    }
}
