public import Foundation
public import IngotJSON
public import IngotJinja

/// Where a model's chat template lives, as HuggingFace repositories keep it: a Jinja file
/// (`chat_template.jinja`, or any template file), or the `chat_template` of
/// `tokenizer_config.json` (one template, or a list of named ones), whose special tokens
/// (`bos_token`, `eos_token`, ...) are the variables transformers renders it with.
extension ChatTemplate {
    /// Loads the template at `path`: a `.json` file is read as `tokenizer_config.json` (or a
    /// processor's `chat_template.json`), anything else as the template's source, with the
    /// special tokens of a `tokenizer_config.json` beside it. `name` picks one of several named
    /// templates (default: `default`). `variables` are added last, over the file's. `now` is the
    /// clock `strftime_now` reads.
    public static func load(
        contentsOf path: String, name: String? = nil, variables extra: [String: JSONValue] = [:], limits: JinjaTemplate.Limits = .init(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(ChatTemplateError) -> ChatTemplate {
        let source: String
        var variables: [String: JSONValue]
        if path.hasSuffix(".json") {
            let config = try Self.readJSON(path)
            source = try Self.templateSource(in: config, path: path, name: name)
            variables = Self.specialTokens(in: config)
        } else {
            source = try Self.readText(path)
            let config = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("tokenizer_config.json").path
            variables = FileManager.default.fileExists(atPath: config) ? Self.specialTokens(in: try Self.readJSON(config)) : [:]
        }
        variables.merge(extra) { $1 }
        do {
            return try ChatTemplate(source, variables: variables, limits: limits, now: now)
        } catch {
            throw ChatTemplateError(path: path, "the chat template does not compile: \(error)")
        }
    }

    /// The chat template of the tokenizer at `tokenizerPath`, from its folder: `chat_template.jinja`,
    /// else `tokenizer_config.json`'s `chat_template`.
    public static func load(
        besideTokenizer tokenizerPath: String, name: String? = nil, variables: [String: JSONValue] = [:], limits: JinjaTemplate.Limits = .init(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(ChatTemplateError) -> ChatTemplate {
        let folder = URL(fileURLWithPath: tokenizerPath).deletingLastPathComponent()
        for file in ["chat_template.jinja", "tokenizer_config.json"] {
            let candidate = folder.appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: candidate) {
                return try Self.load(contentsOf: candidate, name: name, variables: variables, limits: limits, now: now)
            }
        }
        throw ChatTemplateError(
            path: folder.path,
            "no chat template beside the tokenizer (chat_template.jinja or tokenizer_config.json): give one with --chat-template")
    }

    /// `chat_template` of a configuration: a string, or a list of `{"name", "template"}`.
    static func templateSource(in config: JSONValue, path: String, name: String?) throws(ChatTemplateError) -> String {
        switch config["chat_template"] {
        case .string(let source)?:
            guard name == nil || name == "default" else { throw ChatTemplateError(path: path, "the file has one chat template, not one named '\(name!)'") }
            return source
        case .array(let templates)?:
            var named: [(String, String)] = []
            for entry in templates {
                if case .string(let entryName)? = entry["name"], case .string(let source)? = entry["template"] { named.append((entryName, source)) }
            }
            let wanted = name ?? "default"
            guard let source = named.first(where: { $0.0 == wanted })?.1 else {
                throw ChatTemplateError(path: path, "no chat template named '\(wanted)' (the file has: \(named.map(\.0).joined(separator: ", ")))")
            }
            return source
        case nil, .null?:
            throw ChatTemplateError(path: path, "the file has no chat_template")
        case let other?:
            throw ChatTemplateError(path: path, "chat_template is \(other.kindDescription), expected a string or a list of named templates")
        }
    }

    /// The special tokens transformers passes to the template (its `special_tokens_map`): each
    /// a string, or an added-token object whose `content` is the string.
    static func specialTokens(in config: JSONValue) -> [String: JSONValue] {
        func text(_ value: JSONValue?) -> JSONValue? {
            switch value {
            case .string?: value
            case .object?: value?["content"].flatMap { if case .string = $0 { $0 } else { nil } }
            default: nil
            }
        }
        var tokens: [String: JSONValue] = [:]
        for key in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
            if let token = text(config[key]) { tokens[key] = token }
        }
        if case .array(let extra)? = config["additional_special_tokens"] {
            tokens["additional_special_tokens"] = .array(extra.compactMap { text($0) })
        }
        return tokens
    }

    private static func readText(_ path: String) throws(ChatTemplateError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ChatTemplateError(path: path, "cannot read the chat template: \(error.localizedDescription)")
        }
    }

    private static func readJSON(_ path: String) throws(ChatTemplateError) -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ChatTemplateError(path: path, "cannot read the file: \(error.localizedDescription)")
        }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw ChatTemplateError(path: path, "not valid JSON: \(error)")
        }
    }
}

/// Why a chat template could not be loaded.
public struct ChatTemplateError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(self.path): \(self.message)" }
}
