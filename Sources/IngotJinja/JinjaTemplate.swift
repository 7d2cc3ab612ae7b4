public import Foundation

/// A Jinja2 template compiled once and rendered many times, as transformers renders chat
/// templates: Jinja2's ImmutableSandboxedEnvironment with `trim_blocks` and `lstrip_blocks`,
/// loop controls, `raise_exception`, `strftime_now` and a `tojson` that keeps non-ASCII text
/// and does not escape HTML.
///
///     let template = try JinjaTemplate(source)
///     let text = try template.render(["messages": messages, "add_generation_prompt": .bool(true)])
///
/// The sandbox has no I/O at all, refuses mutation of lists and dicts, and bounds every render
/// (``Limits``): a hostile template fails with a `LimitError` instead of hanging or exhausting
/// memory. Compiled templates are immutable and can be shared between threads.
public struct JinjaTemplate: @unchecked Sendable {
    // The statements are immutable after parsing: values, strings and arrays only.
    let statements: [Statement]
    public let limits: Limits
    /// The global functions, made once: they are immutable, so renders on any thread share them.
    let globals: Frame

    /// Bounds on one render. Real chat templates stay far inside them; a template that passes
    /// one fails with a `LimitError` naming it.
    public struct Limits: Sendable {
        /// Iterations of all loops together.
        public var loopIterations: Int
        /// Nested macro calls (and recursive loops).
        public var recursionDepth: Int
        /// Bytes of output, and of any one string (8 per element for a list) built by an expression.
        public var outputBytes: Int
        /// Bytes of all strings (8 per element for lists) that operators, filters and calls build
        /// in one render together: bounds the time a render can take, not only its memory.
        public var workBytes: Int
        /// How deeply lists, dicts and namespaces stored in a namespace may nest (a namespace
        /// that would hold itself nests without end).
        public var nestingDepth: Int

        public init(
            loopIterations: Int = 1_000_000, recursionDepth: Int = 100, outputBytes: Int = 64 << 20, workBytes: Int = 1 << 30,
            nestingDepth: Int = 200
        ) {
            self.loopIterations = loopIterations
            self.recursionDepth = recursionDepth
            self.outputBytes = outputBytes
            self.workBytes = workBytes
            self.nestingDepth = nestingDepth
        }
    }

    /// Compiles `source`; throws a `TemplateSyntaxError` (with the line) for a template that does
    /// not parse or names a filter or test that does not exist.
    public init(_ source: String, limits: Limits = Limits(), now: @escaping @Sendable () -> Date = { Date() }) throws(JinjaError) {
        self.statements = try Parser.parse(source)
        self.limits = limits
        self.globals = Frame(parent: nil, Globals.make(now: now))
        try Self.checkNames(self.statements)
    }

    /// Renders with these variables.
    public func render(_ variables: [String: JinjaValue]) throws(JinjaError) -> String {
        let interpreter = Interpreter(limits: self.limits, globals: self.globals)
        return try interpreter.render(self.statements, variables: variables)
    }

    /// Whether the template has transformers' `{% generation %}` blocks.
    public var hasGenerationBlocks: Bool {
        func contains(_ body: [Statement]) -> Bool {
            body.contains { statement in
                switch statement {
                case .generation: true
                case .if(let branches, let otherwise): branches.contains { contains($0.body) } || contains(otherwise)
                case .for(_, _, _, let body, let otherwise, _): contains(body) || contains(otherwise)
                case .setBlock(_, _, let body), .macro(_, _, let body), .callBlock(_, _, _, let body), .filterBlock(_, let body),
                    .with(_, let body):
                    contains(body)
                case .text, .output, .set, .break, .continue: false
                }
            }
        }
        return contains(self.statements)
    }

    /// Unknown filters and tests are errors when the template is compiled, as in Jinja2.
    private static func checkNames(_ statements: [Statement]) throws(JinjaError) {
        var failure: JinjaError?
        func visit(_ e: Expression) {
            guard failure == nil else { return }
            switch e {
            case .constant, .name: break
            case .list(let items), .tuple(let items), .concat(let items): items.forEach(visit)
            case .dict(let pairs): pairs.forEach { visit($0.key); visit($0.value) }
            case .attribute(let base, _), .not(let base), .negate(let base), .plus(let base): visit(base)
            case .item(let base, let key): visit(base); visit(key)
            case .slice(let base, let start, let stop, let step): visit(base); [start, stop, step].compactMap { $0 }.forEach(visit)
            case .call(let base, let call): visit(base); visitCall(call)
            case .filter(let base, let application):
                if application.filter == nil { failure = JinjaError(.assertion, "No filter named \(PythonText.repr(application.name)).") }
                visit(base)
                visitCall(application.call)
            case .test(let base, let application, _):
                if application.test == nil { failure = JinjaError(.assertion, "No test named \(PythonText.repr(application.name)).") }
                visit(base)
                visitCall(application.call)
            case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): visit(a); visit(b)
            case .compare(let first, let rest): visit(first); rest.forEach { visit($0.1) }
            case .conditional(let c, let t, let o, _): visit(c); visit(t); o.map(visit)
            }
        }
        func visitCall(_ call: Call) {
            call.positional.forEach(visit)
            call.keyword.forEach { visit($0.value) }
            call.splat.map(visit)
            call.doubleSplat.map(visit)
        }
        func visitFilters(_ filters: [FilterApplication]) {
            for filter in filters {
                if filter.filter == nil { failure = JinjaError(.assertion, "No filter named \(PythonText.repr(filter.name)).") }
                visitCall(filter.call)
            }
        }
        func walk(_ body: [Statement]) {
            for statement in body {
                switch statement {
                case .text, .break, .continue: break
                case .output(let e), .set(_, let e): visit(e)
                case .if(let branches, let otherwise):
                    branches.forEach { visit($0.condition); walk($0.body) }
                    walk(otherwise)
                case .for(_, let iterable, let filter, let body, let otherwise, _):
                    visit(iterable)
                    filter.map(visit)
                    walk(body)
                    walk(otherwise)
                case .setBlock(_, let filters, let body), .filterBlock(let filters, let body):
                    visitFilters(filters)
                    walk(body)
                case .macro(_, let parameters, let body):
                    parameters.compactMap(\.defaultValue).forEach(visit)
                    walk(body)
                case .callBlock(let callee, let call, let parameters, let body):
                    visit(callee)
                    visitCall(call)
                    parameters.compactMap(\.defaultValue).forEach(visit)
                    walk(body)
                case .with(let assignments, let body):
                    assignments.forEach { visit($0.1) }
                    walk(body)
                case .generation(let body): walk(body)
                }
            }
        }
        walk(statements)
        if let failure { throw failure }
    }
}
