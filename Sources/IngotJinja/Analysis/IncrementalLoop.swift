/// Templates that render a list one item at a time (`{% for message in messages %}`), so that
/// the render of the list's first k items is the whole render's, cut at iteration k. Chat
/// masks need the renders of every prefix of a conversation; for such a template they are
/// read off one render instead of rendered again (``JinjaTemplate/renderRecordingIterations(_:)``).
///
/// The check is static and conservative: a template passes only if nothing can make an
/// iteration's output depend on later items or on the options that differ between the
/// renders (`add_generation_prompt`), and nothing outside the loop reads the list:
///
/// - one top-level `for` over the list (or a name set to it at the top level), with no filter,
///   no `else`, not recursive, and no `break` in its body;
/// - before the loop, nothing reads the list; after it, nothing reads the list or anything the
///   loop body assigns (its namespaces' attributes included);
/// - in the body, no mention of the list, of the `excluded` variables or of names assigned
///   from them before the loop, and of `loop` only `index`, `index0`, `first`, `previtem`,
///   `depth`, `depth0`, `cycle()` and `changed()` (not `last`, `length`, `revindex`,
///   `nextitem`: they look ahead);
/// - no macros or call blocks anywhere (their bodies would escape the check).
struct IncrementalLoopCheck {
    let list: String
    let excluded: Set<String>

    /// The index of the loop among the top-level statements, or nil.
    func loopIndex(in statements: [Statement]) -> Int? {
        var names = NameCollector()
        names.walk(statements)
        guard !names.hasMacros else { return nil }
        var aliases: Set<String> = [self.list]
        var tainted = self.excluded
        var loopIndex: Int?
        for (index, statement) in statements.enumerated() {
            if loopIndex == nil, case .for(let target, .name(let iterated), let filter, let body, let otherwise, let recursive) = statement,
                aliases.contains(iterated)
            {
                guard filter == nil, otherwise.isEmpty, !recursive else { return nil }
                var bodyNames = NameCollector()
                bodyNames.walk(body)
                bodyNames.add(target: target)
                guard !bodyNames.hasBreak, bodyNames.loopUsesOnlyPastAttributes,
                    bodyNames.read.isDisjoint(with: aliases.union(tainted))
                else { return nil }
                loopIndex = index
                tainted.formUnion(bodyNames.assigned)
                continue
            }
            var statementNames = NameCollector()
            statementNames.walk([statement])
            guard statementNames.read.isDisjoint(with: aliases) else {
                // `set alias = list` before the loop.
                if loopIndex == nil, case .set(.name(let alias), .name(let source)) = statement, aliases.contains(source) {
                    aliases.insert(alias)
                    continue
                }
                return nil
            }
            if loopIndex == nil {
                // Names assigned from (or under a condition on) excluded ones are excluded too.
                if !statementNames.read.isDisjoint(with: tainted) { tainted.formUnion(statementNames.assigned) }
            } else if !statementNames.read.isDisjoint(with: tainted.subtracting(self.excluded)) {
                // After the loop: nothing the body assigned.
                return nil
            }
        }
        return loopIndex
    }
}

/// The names a piece of template reads and assigns, and the constructs that defeat the check.
private struct NameCollector {
    var read: Set<String> = []
    var assigned: Set<String> = []
    var hasMacros = false
    var hasBreak = false
    /// False once `loop` is used for anything that looks ahead.
    var loopUsesOnlyPastAttributes = true

    static let pastAttributes: Set<String> = ["index", "index0", "first", "previtem", "depth", "depth0"]
    static let pastMethods: Set<String> = ["cycle", "changed"]

    mutating func add(target: Target) {
        switch target {
        case .name(let name): self.assigned.insert(name)
        case .tuple(let targets): targets.forEach { self.add(target: $0) }
        case .namespaceAttribute(let name, _):
            // Mutates the namespace: readers of it after the loop see the loop's state.
            self.assigned.insert(name)
            self.read.insert(name)
        }
    }

    mutating func walk(_ statements: [Statement]) {
        for statement in statements {
            switch statement {
            case .text: break
            case .break: self.hasBreak = true
            case .continue: break
            case .output(let e): self.visit(e)
            case .set(let target, let e):
                self.add(target: target)
                self.visit(e)
            case .setBlock(let target, let filters, let body):
                self.add(target: target)
                filters.forEach { self.visit($0.call) }
                self.walk(body)
            case .if(let branches, let otherwise):
                for branch in branches {
                    self.visit(branch.condition)
                    self.walk(branch.body)
                }
                self.walk(otherwise)
            case .for(let target, let iterable, let filter, let body, let otherwise, _):
                self.add(target: target)
                self.visit(iterable)
                filter.map { self.visit($0) }
                self.walk(body)
                self.walk(otherwise)
            case .macro, .callBlock: self.hasMacros = true
            case .filterBlock(let filters, let body):
                filters.forEach { self.visit($0.call) }
                self.walk(body)
            case .with(let assignments, let body):
                for (target, e) in assignments {
                    self.add(target: target)
                    self.visit(e)
                }
                self.walk(body)
            case .generation(let body): self.walk(body)
            }
        }
    }

    mutating func visit(_ call: Call) {
        call.positional.forEach { self.visit($0) }
        call.keyword.forEach { self.visit($0.value) }
        call.splat.map { self.visit($0) }
        call.doubleSplat.map { self.visit($0) }
    }

    mutating func visit(_ e: Expression) {
        switch e {
        case .constant: break
        case .name(let name):
            self.read.insert(name)
            if name == "loop" { self.loopUsesOnlyPastAttributes = false }
        case .attribute(.name("loop"), let attribute):
            if !Self.pastAttributes.contains(attribute) { self.loopUsesOnlyPastAttributes = false }
        case .call(.attribute(.name("loop"), let method), let call):
            if !Self.pastMethods.contains(method) { self.loopUsesOnlyPastAttributes = false }
            self.visit(call)
        case .list(let items), .tuple(let items), .concat(let items): items.forEach { self.visit($0) }
        case .dict(let pairs):
            for pair in pairs {
                self.visit(pair.key)
                self.visit(pair.value)
            }
        case .attribute(let base, _), .not(let base), .negate(let base), .plus(let base): self.visit(base)
        case .item(let base, let key):
            self.visit(base)
            self.visit(key)
        case .slice(let base, let start, let stop, let step):
            self.visit(base)
            for part in [start, stop, step] { part.map { self.visit($0) } }
        case .call(let base, let call):
            self.visit(base)
            self.visit(call)
        case .filter(let base, let application):
            self.visit(base)
            self.visit(application.call)
        case .test(let base, let application, _):
            self.visit(base)
            self.visit(application.call)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            self.visit(a)
            self.visit(b)
        case .compare(let first, let rest):
            self.visit(first)
            rest.forEach { self.visit($0.1) }
        case .conditional(let c, let t, let o, _):
            self.visit(c)
            self.visit(t)
            o.map { self.visit($0) }
        }
    }
}

extension JinjaTemplate {
    /// A template's loop over a list that renders the list item by item (see
    /// ``incrementalLoop(over:excluding:)``).
    public struct IncrementalLoop: Sendable, Equatable {
        let statementIndex: Int
    }

    /// The loop over `list` if the template renders it item by item: the render of the list's
    /// first k items is then the whole render cut where iteration k began (the text before and
    /// after the loop aside), whatever the variables in `excluding` are. Nil when the template
    /// cannot be shown to (the check is static and conservative).
    public func incrementalLoop(over list: String, excluding: Set<String> = []) -> IncrementalLoop? {
        IncrementalLoopCheck(list: list, excluded: excluding).loopIndex(in: self.statements).map(IncrementalLoop.init)
    }

    /// Renders with `variables`, also giving where in the text (UTF-8 bytes) each iteration of
    /// `loop` began, then where the loop ended: one more boundary than iterations.
    public func render(_ variables: [String: JinjaValue], recording loop: IncrementalLoop) throws(JinjaError) -> (text: String, boundaries: [Int]) {
        let interpreter = Interpreter(limits: self.limits, globals: self.globals)
        let text = try interpreter.render(self.statements, variables: variables, recordingLoopAt: loop.statementIndex)
        return (text, interpreter.boundaries ?? [])
    }
}
