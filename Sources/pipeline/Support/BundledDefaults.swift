import Foundation

/// The sample corpus and tokenizer shipped in `Samples/`, found from the working directory or
/// from the executable's location (`.build/<config>/pipeline`).
enum BundledDefaults {
    static let tokenizer = "Samples/tokenizers/gpt2/tokenizer.json"

    static func locate(_ relative: String) -> String? {
        let fm = FileManager.default
        if fm.fileExists(atPath: relative) { return relative }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent(relative).path
            if fm.fileExists(atPath: candidate) { return candidate }
            url.deleteLastPathComponent()
        }
        return nil
    }
}
