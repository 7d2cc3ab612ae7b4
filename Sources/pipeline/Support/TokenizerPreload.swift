import Ingot
import Synchronization

/// The tokenizer a command line names, loaded while swift-argument-parser parses the line.
///
/// Parsing takes several milliseconds on one core (the parser reflects on every option of the
/// command, and the runtime looks up each option type's conformances), and loading a tokenizer
/// takes tens, partly on one core: started together, the parsing hides behind the load. The file
/// is guessed from the raw arguments of `run` and `encode` (`--tokenizer PATH`, else the bundled
/// tokenizer); the parsed command takes the preloaded tokenizer only when it asks for that same
/// path (``TokenizerOptions/load()``), and loads its own otherwise. A wrong guess costs a load
/// on a core that would have idled, never a different tokenizer.
///
/// The load is the longer of the two and every run waits for it, so it starts at once on the
/// thread already running, and the parsing goes to the child task: a child waits for the
/// runtime to start a thread for it, 0.1 to 4 ms here at the start of a process.
final class TokenizerPreload: Sendable {
    /// The preload of the command being run, if its line named a tokenizer.
    @TaskLocal static var current: TokenizerPreload?

    let path: String

    private enum State {
        case loading(waiters: [CheckedContinuation<Result<Tokenizer, TokenizerError>, Never>])
        case loaded(Result<Tokenizer, TokenizerError>)
    }

    private let state = Mutex(State.loading(waiters: []))

    private init(path: String) {
        self.path = path
    }

    /// Runs `body` (the parsing and the command) in a child task while this task loads the
    /// tokenizer the line names. Returns when both are done: the load is never abandoned, should
    /// `body` return first.
    static func whileParsing(_ arguments: [String], _ body: @escaping @Sendable () async -> Void) async {
        guard let path = Self.path(in: arguments) else {
            await body()
            return
        }
        let preload = TokenizerPreload(path: path)
        await withTaskGroup(of: Void.self) { group in
            // The child inherits the task-local value set around its creation.
            Self.$current.withValue(preload) {
                group.addTask { await body() }
            }
            preload.load()
        }
    }

    /// The tokenizer file the command line asks for, if the command loads one: `run` and
    /// `encode` load `--tokenizer`, else the bundled tokenizer. Arguments after `--` are
    /// operands; `--help` needs no tokenizer.
    static func path(in arguments: [String]) -> String? {
        guard let command = arguments.first, command == "run" || command == "encode" else { return nil }
        let options = arguments.prefix { $0 != "--" }
        guard !options.contains(where: { $0 == "--help" || $0 == "-h" }) else { return nil }
        var path: String?
        for (index, argument) in options.enumerated() {
            if argument == "--tokenizer", index + 1 < options.count {
                path = options[index + 1]
            } else if argument.hasPrefix("--tokenizer=") {
                path = String(argument.dropFirst("--tokenizer=".count))
            }
        }
        return path ?? BundledDefaults.locate(BundledDefaults.tokenizer)
    }

    private func load() {
        let result = Result { () throws(TokenizerError) in try Tokenizer.load(contentsOf: self.path) }
        let waiters = self.state.withLock { state in
            guard case .loading(let waiters) = state else { return [CheckedContinuation<Result<Tokenizer, TokenizerError>, Never>]() }
            state = .loaded(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// The preloaded tokenizer, once loaded (or the error loading it met).
    func tokenizer() async throws(TokenizerError) -> Tokenizer {
        let result = await withCheckedContinuation { continuation in
            let loaded = self.state.withLock { state -> Result<Tokenizer, TokenizerError>? in
                switch state {
                case .loaded(let result):
                    return result
                case .loading(var waiters):
                    waiters.append(continuation)
                    state = .loading(waiters: waiters)
                    return nil
                }
            }
            if let loaded { continuation.resume(returning: loaded) }
        }
        return try result.get()
    }
}
