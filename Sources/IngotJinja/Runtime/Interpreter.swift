import Foundation

/// Where names live while a template renders. The template's top level is one frame; a `for`
/// loop makes a fresh frame for every iteration, a macro call one per call, `with` one for its
/// body; `if` makes none. Assignments go to the innermost frame, so (as in Jinja2) what a loop
/// body sets does not survive the iteration, and a namespace is the way to carry a value out.
final class Frame {
    // A few names each (a loop's target and `loop`, a macro's parameters): a linear search of
    // two small arrays beats hashing every name.
    private var names: [String]
    private var values: [JinjaValue]
    let parent: Frame?

    init(parent: Frame?, _ variables: [String: JinjaValue] = [:]) {
        self.parent = parent
        self.names = Array(variables.keys)
        self.values = Array(variables.values)
    }

    init(parent: Frame?, name: String, value: JinjaValue) {
        self.parent = parent
        // Room for a loop's target and a few `set`s without growing.
        self.names = [name]
        self.names.reserveCapacity(4)
        self.values = [value]
        self.values.reserveCapacity(4)
    }

    func lookup(_ name: String) -> JinjaValue? {
        var frame: Frame? = self
        while let current = frame {
            if let i = current.names.firstIndex(of: name) { return current.values[i] }
            frame = current.parent
        }
        return nil
    }

    func assign(_ name: String, _ value: JinjaValue) {
        if let i = self.names.firstIndex(of: name) {
            self.values[i] = value
        } else {
            self.names.append(name)
            self.values.append(value)
        }
    }
}

/// Renders a parsed template: statements to text, expressions to values, with the sandbox's
/// rules (no mutation of lists and dicts, no underscore attributes) and limits.
final class Interpreter {
    let limits: JinjaTemplate.Limits
    /// The frame of the global functions: shared by every render of a template, never assigned to.
    private let globals: Frame
    private var iterations = 0
    private var depth = 0
    /// Bytes of strings and list slots built so far (``JinjaTemplate/Limits/workBytes``).
    private var work = 0

    init(limits: JinjaTemplate.Limits, globals: Frame) {
        self.limits = limits
        self.globals = globals
    }

    enum Flow { case normal, breakLoop, continueLoop }

    func render(_ statements: [Statement], variables: [String: JinjaValue]) throws(JinjaError) -> String {
        let top = Frame(parent: self.globals, variables)
        var out = ""
        _ = try self.execute(statements, in: top, into: &out)
        return out
    }

    /// Where the output stood when each iteration of the loop being recorded began, then where
    /// the loop ended; nil when no loop is recorded.
    private(set) var boundaries: [Int]?
    /// Set while the next loop to start is the one to record.
    private var recordsNextLoop = false

    /// ``render(_:variables:)``, recording the iterations of the top-level statement at `index`
    /// (a `for` loop): see ``boundaries``.
    func render(_ statements: [Statement], variables: [String: JinjaValue], recordingLoopAt index: Int) throws(JinjaError) -> String {
        let top = Frame(parent: self.globals, variables)
        var out = ""
        self.boundaries = []
        for (i, statement) in statements.enumerated() {
            self.recordsNextLoop = i == index
            _ = try self.execute([statement], in: top, into: &out)
        }
        self.recordsNextLoop = false
        return out
    }

    // MARK: Statements

    func execute(_ statements: [Statement], in frame: Frame, into out: inout String) throws(JinjaError) -> Flow {
        for statement in statements {
            switch statement {
            case .text(let text):
                out += text
            case .output(let expression):
                out += try self.evaluate(expression, frame).printed(limit: self.limits.outputBytes)
            case .if(let branches, let otherwise):
                var taken = false
                for branch in branches where try self.evaluate(branch.condition, frame).isTruthy {
                    taken = true
                    let flow = try self.execute(branch.body, in: frame, into: &out)
                    if flow != .normal { return flow }
                    break
                }
                if !taken {
                    let flow = try self.execute(otherwise, in: frame, into: &out)
                    if flow != .normal { return flow }
                }
            case .for(let target, let iterable, let filter, let body, let otherwise, let recursive):
                let items = try self.evaluate(iterable, frame)
                try self.loop(
                    target: target, items: items, filter: filter, body: body, otherwise: otherwise, recursive: recursive,
                    depth: 0, frame: frame, out: &out)
            case .set(let target, let expression):
                try self.assign(target, try self.evaluate(expression, frame), in: frame)
            case .setBlock(let target, let filters, let body):
                var captured = ""
                _ = try self.execute(body, in: Frame(parent: frame), into: &captured)
                var value = JinjaValue.string(captured)
                for filter in filters { value = try self.applyFilter(filter, to: value, frame) }
                try self.assign(target, value, in: frame)
            case .macro(let name, let parameters, let body):
                frame.assign(name, .function(self.macro(name, parameters, body, definedIn: frame, caller: nil)))
            case .callBlock(let callee, let call, let parameters, let body):
                let caller = self.macro("caller", parameters, body, definedIn: frame, caller: nil)
                out += try self.call(try self.evaluate(callee, frame), call, frame, caller: caller).printed(limit: self.limits.outputBytes)
            case .filterBlock(let filters, let body):
                var captured = ""
                _ = try self.execute(body, in: Frame(parent: frame), into: &captured)
                var value = JinjaValue.string(captured)
                for filter in filters { value = try self.applyFilter(filter, to: value, frame) }
                out += try value.printed(limit: self.limits.outputBytes)
            case .with(let assignments, let body):
                let inner = Frame(parent: frame)
                for (target, expression) in assignments { try self.assign(target, try self.evaluate(expression, frame), in: inner) }
                let flow = try self.execute(body, in: inner, into: &out)
                if flow != .normal { return flow }
            case .break:
                return .breakLoop
            case .continue:
                return .continueLoop
            case .generation(let body):
                let flow = try self.execute(body, in: frame, into: &out)
                if flow != .normal { return flow }
            }
            if out.utf8.count > self.limits.outputBytes {
                throw JinjaError(.limit, "the render exceeded \(self.limits.outputBytes) bytes of output")
            }
        }
        return .normal
    }

    private func loop(
        target: Target, items iterable: JinjaValue, filter: Expression?, body: [Statement], otherwise: [Statement], recursive: Bool,
        depth: Int, frame: Frame, out: inout String
    ) throws(JinjaError) {
        // Only the recorded loop itself records, not loops nested in its body.
        let records = self.recordsNextLoop
        self.recordsNextLoop = false
        var items = try iterable.iterated()
        if let filter {
            var kept: [JinjaValue] = []
            for item in items {
                let scope = Frame(parent: frame)
                try self.assign(target, item, in: scope)
                if try self.evaluate(filter, scope).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            if records { self.boundaries?.append(out.utf8.count) }
            _ = try self.execute(otherwise, in: frame, into: &out)
            return
        }
        let state = LoopState(items: items, depth: depth)
        if recursive {
            state.recurse = { [unowned self] nested throws(JinjaError) in
                var rendered = ""
                try self.enter()
                defer { self.depth -= 1 }
                try self.loop(
                    target: target, items: nested, filter: filter, body: body, otherwise: [], recursive: true, depth: depth + 1,
                    frame: frame, out: &rendered)
                return rendered
            }
        }
        for (index, item) in items.enumerated() {
            self.iterations += 1
            if self.iterations > self.limits.loopIterations {
                throw JinjaError(.limit, "the render exceeded \(self.limits.loopIterations) loop iterations")
            }
            state.index = index
            if records { self.boundaries?.append(out.utf8.count) }
            let scope = Frame(parent: frame, name: "loop", value: .object(state))
            try self.assign(target, item, in: scope)
            if try self.execute(body, in: scope, into: &out) == .breakLoop { break }
        }
        if records { self.boundaries?.append(out.utf8.count) }
    }

    func assign(_ target: Target, _ value: JinjaValue, in frame: Frame) throws(JinjaError) {
        switch target {
        case .name(let name):
            frame.assign(name, value)
        case .tuple(let targets):
            let items = try value.iterated()
            guard items.count == targets.count else {
                throw JinjaError(
                    .value, items.count < targets.count
                        ? "not enough values to unpack (expected \(targets.count), got \(items.count))"
                        : "too many values to unpack (expected \(targets.count))")
            }
            for (target, item) in zip(targets, items) { try self.assign(target, item, in: frame) }
        case .namespaceAttribute(let name, let attribute):
            guard case .object(let object)? = frame.lookup(name), let namespace = object as? Namespace else {
                throw JinjaError(.runtime, "cannot assign attribute on non-namespace object")
            }
            guard !attribute.hasPrefix("_") else {
                throw JinjaError(
                    .security,
                    "Chat templates cannot store underscore-prefixed attributes on a namespace, but got \(PythonText.repr(attribute)). Please rename the attribute.")
            }
            try self.checkNesting(value)
            namespace.attributes[attribute] = value
        }
    }

    /// Namespace attributes are the only values that outlive a loop iteration, so the only way
    /// values can nest without bound (or hold themselves): a value stored there may nest
    /// ``JinjaTemplate/Limits/nestingDepth`` levels.
    func checkNesting(_ value: JinjaValue) throws(JinjaError) {
        // Values share storage (`[x, x]` holds x twice), so each array buffer or object is
        // measured once: the walk is linear in distinct containers, not exponential in depth.
        var heights: [UnsafeRawPointer: Int] = [:]
        func height(_ value: JinjaValue, _ level: Int) throws(JinjaError) -> Int {
            guard level <= self.limits.nestingDepth else {
                throw JinjaError(.limit, "a value stored in a namespace nests more than \(self.limits.nestingDepth) levels deep")
            }
            let children: [JinjaValue]
            let identity: UnsafeRawPointer?
            switch value {
            case .list(let items), .tuple(let items):
                children = items
                identity = items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
            case .dict(let dict):
                children = dict.keys + dict.values
                identity = dict.values.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
            case .object(let object):
                children = (object as? Namespace)?.attributes.values ?? object.tupleElements ?? []
                identity = UnsafeRawPointer(Unmanaged.passUnretained(object as AnyObject).toOpaque())
            default:
                return 0
            }
            if let identity, let known = heights[identity] { return known }
            var tallest = 0
            for child in children { tallest = max(tallest, try height(child, level + 1)) }
            if let identity { heights[identity] = tallest + 1 }
            return tallest + 1
        }
        guard try height(value, 0) <= self.limits.nestingDepth else {
            throw JinjaError(.limit, "a value stored in a namespace nests more than \(self.limits.nestingDepth) levels deep")
        }
    }

    /// Counts `bytes` of work against ``JinjaTemplate/Limits/workBytes``.
    func charge(bytes: Int) throws(JinjaError) {
        self.work += bytes
        if self.work > self.limits.workBytes {
            throw JinjaError(.limit, "the render built more than \(self.limits.workBytes) bytes of values")
        }
    }

    /// Checks a value an expression built against the size limit and counts it as work.
    func built(_ value: JinjaValue) throws(JinjaError) -> JinjaValue {
        let bytes: Int
        switch value {
        case .string(let s): bytes = s.utf8.count
        case .list(let items), .tuple(let items): bytes = 8 * items.count
        default: return value
        }
        guard bytes <= self.limits.outputBytes else { throw JinjaError(.limit, "a value exceeded \(self.limits.outputBytes) bytes") }
        try self.charge(bytes: bytes)
        return value
    }

    /// Counts a nested call against the recursion limit.
    func enter() throws(JinjaError) {
        self.depth += 1
        if self.depth > self.limits.recursionDepth {
            self.depth -= 1
            throw JinjaError(.limit, "the render exceeded \(self.limits.recursionDepth) nested macro calls")
        }
    }

    private func macro(
        _ name: String, _ parameters: [(name: String, defaultValue: Expression?)], _ body: [Statement], definedIn frame: Frame,
        caller: JinjaFunction?
    ) -> JinjaFunction {
        JinjaFunction(name) { [unowned self] arguments throws(JinjaError) in
            try self.enter()
            defer { self.depth -= 1 }
            let scope = Frame(parent: frame)
            var positional = arguments.positional[...]
            var keyword = arguments.keyword
            for parameter in parameters {
                if let i = keyword.firstIndex(where: { $0.name == parameter.name }) {
                    scope.assign(parameter.name, keyword.remove(at: i).value)
                } else if let value = positional.popFirst() {
                    scope.assign(parameter.name, value)
                } else if let expression = parameter.defaultValue {
                    scope.assign(parameter.name, try self.evaluate(expression, scope))
                } else {
                    scope.assign(parameter.name, .undefined(named: parameter.name))
                }
            }
            if let i = keyword.firstIndex(where: { $0.name == "caller" }), case .function = keyword[i].value {
                scope.assign("caller", keyword.remove(at: i).value)
            }
            scope.assign("varargs", .tuple(Array(positional)))
            scope.assign("kwargs", .dict(JinjaDict(keyword.map { (JinjaValue.string($0.name), $0.value) })))
            var rendered = ""
            _ = try self.execute(body, in: scope, into: &rendered)
            return .string(rendered)
        }
    }

    // MARK: Expressions

    func evaluate(_ expression: Expression, _ frame: Frame) throws(JinjaError) -> JinjaValue {
        switch expression {
        case .constant(let constant):
            switch constant {
            case .none: return .none
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .float(d)
            case .string(let s): return .string(s)
            }
        case .name(let name):
            return frame.lookup(name) ?? .undefined(named: name)
        case .list(let items):
            var values: [JinjaValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try self.evaluate(item, frame)) }
            return .list(values)
        case .tuple(let items):
            var values: [JinjaValue] = []
            for item in items { values.append(try self.evaluate(item, frame)) }
            return .tuple(values)
        case .dict(let pairs):
            var dict = JinjaDict()
            for pair in pairs { dict[try self.evaluate(pair.key, frame)] = try self.evaluate(pair.value, frame) }
            return .dict(dict)
        case .attribute(let base, let name):
            return try Access.attribute(try self.evaluate(base, frame), name)
        case .item(let base, let key):
            return try Access.item(try self.evaluate(base, frame), try self.evaluate(key, frame))
        case .slice(let base, let start, let stop, let step):
            let value = try self.evaluate(base, frame)
            return try Access.slice(
                value, start: try start.map { e throws(JinjaError) in try self.evaluate(e, frame) },
                stop: try stop.map { e throws(JinjaError) in try self.evaluate(e, frame) },
                step: try step.map { e throws(JinjaError) in try self.evaluate(e, frame) })
        case .call(let callee, let call):
            return try self.built(try self.call(try self.evaluate(callee, frame), call, frame, caller: nil))
        case .filter(let base, let application):
            return try self.built(try self.applyFilter(application, to: try self.evaluate(base, frame), frame))
        case .test(let base, let application, let negated):
            let result = try self.applyTest(application, to: try self.evaluate(base, frame), frame)
            return .bool(result != negated)
        case .not(let inner):
            return .bool(!(try self.evaluate(inner, frame).isTruthy))
        case .negate(let inner):
            return try JinjaValue.negate(try self.evaluate(inner, frame))
        case .plus(let inner):
            let value = try self.evaluate(inner, frame)
            if case .undefined(let u) = value { throw u.error }
            guard value.number != nil else { throw JinjaError(.type, "bad operand type for unary +: '\(value.typeName)'") }
            return value
        case .binary(.add, .binary(.add, _, _), _):
            return try self.sum(expression, frame)
        case .binary(let op, let left, let right):
            let a = try self.evaluate(left, frame)
            let b = try self.evaluate(right, frame)
            if op == .multiply { try self.checkRepetition(a, b) }
            let result: JinjaValue
            switch op {
            case .add: result = try JinjaValue.add(a, b)
            case .subtract: result = try JinjaValue.subtract(a, b)
            case .multiply: result = try JinjaValue.multiply(a, b)
            case .divide: result = try JinjaValue.divide(a, b)
            case .floorDivide: result = try JinjaValue.floorDivide(a, b)
            case .modulo: result = try JinjaValue.modulo(a, b, maxBytes: self.limits.outputBytes)
            case .power: result = try JinjaValue.power(a, b)
            }
            return try self.built(result)
        case .and(let left, let right):
            let a = try self.evaluate(left, frame)
            return a.isTruthy ? try self.evaluate(right, frame) : a
        case .or(let left, let right):
            let a = try self.evaluate(left, frame)
            return a.isTruthy ? a : try self.evaluate(right, frame)
        case .compare(let first, let operations):
            var left = try self.evaluate(first, frame)
            for (op, expression) in operations {
                let right = try self.evaluate(expression, frame)
                let holds: Bool
                switch op {
                case .equal: holds = JinjaValue.pyEquals(left, right)
                case .notEqual: holds = !JinjaValue.pyEquals(left, right)
                case .less: holds = try JinjaValue.compare(left, right, "<") < 0
                case .lessOrEqual: holds = try JinjaValue.compare(left, right, "<=") <= 0
                case .greater: holds = try JinjaValue.compare(left, right, ">") > 0
                case .greaterOrEqual: holds = try JinjaValue.compare(left, right, ">=") >= 0
                case .in: holds = try JinjaValue.contains(right, left)
                case .notIn: holds = !(try JinjaValue.contains(right, left))
                }
                guard holds else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .concat(let parts):
            var text = ""
            for part in parts {
                text += try self.evaluate(part, frame).printed(limit: self.limits.outputBytes)
                guard text.utf8.count <= self.limits.outputBytes else { throw JinjaError(.limit, "a value exceeded \(self.limits.outputBytes) bytes") }
            }
            return try self.built(.string(text))
        case .conditional(let condition, let then, let otherwise, let line):
            if try self.evaluate(condition, frame).isTruthy { return try self.evaluate(then, frame) }
            guard let otherwise else {
                return .undefined(Undefined(.hint("the inline if-expression on line \(line) evaluated to false and no else section was defined.")))
            }
            return try self.evaluate(otherwise, frame)
        }
    }

    /// `a + b + c + ...`, left to right as Python adds, but strings joined into one buffer rather
    /// than copied at every `+` (chat templates build each turn this way).
    private func sum(_ expression: Expression, _ frame: Frame) throws(JinjaError) -> JinjaValue {
        var operands: [Expression] = []
        var node = expression
        while case .binary(.add, let left, let right) = node {
            operands.append(right)
            node = left
        }
        var total = try self.evaluate(node, frame)
        // While the sum is a string, it grows in `text`.
        var text: String?
        if case .string(let s) = total { text = s }
        for operand in operands.reversed() {
            let next = try self.evaluate(operand, frame)
            if text != nil, case .string(let s) = next {
                text!.append(s)
                guard text!.utf8.count <= self.limits.outputBytes else { throw JinjaError(.limit, "a value exceeded \(self.limits.outputBytes) bytes") }
                continue
            }
            if let built = text {
                total = .string(built)
                text = nil
            }
            total = try self.built(try JinjaValue.add(total, next))
            if case .string(let s) = total { text = s }
        }
        return try self.built(text.map { .string($0) } ?? total)
    }

    /// `'ab' * n` and `[x] * n` are sized before they are built (after would be too late), as
    /// are `'%9999999999s' % x` widths.
    private func checkRepetition(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) {
        let limit = self.limits.outputBytes
        switch (a, b) {
        case (.string(let s), _) where b.integer != nil: try Sizes.require(s.utf8.count, times: b.integer!, limit)
        case (_, .string(let s)) where a.integer != nil: try Sizes.require(s.utf8.count, times: a.integer!, limit)
        case (.list(let items), _) where b.integer != nil, (.tuple(let items), _) where b.integer != nil:
            try Sizes.require(8 * items.count, times: b.integer!, limit)
        case (_, .list(let items)) where a.integer != nil, (_, .tuple(let items)) where a.integer != nil:
            try Sizes.require(8 * items.count, times: a.integer!, limit)
        default: return
        }
    }

    func arguments(_ call: Call, _ frame: Frame, function: String) throws(JinjaError) -> JinjaArguments {
        var positional: [JinjaValue] = []
        for expression in call.positional { positional.append(try self.evaluate(expression, frame)) }
        var keyword: [(name: String, value: JinjaValue)] = []
        for (name, expression) in call.keyword { keyword.append((name, try self.evaluate(expression, frame))) }
        if let splat = call.splat { positional += try self.evaluate(splat, frame).iterated() }
        if let doubleSplat = call.doubleSplat {
            guard case .dict(let dict) = try self.evaluate(doubleSplat, frame) else { throw JinjaError(.type, "argument after ** must be a mapping") }
            for (key, value) in dict.items { keyword.append((key.pyStr, value)) }
        }
        return JinjaArguments(positional, keyword: keyword, function: function, maxBytes: self.limits.outputBytes)
    }

    func call(_ callee: JinjaValue, _ call: Call, _ frame: Frame, caller: JinjaFunction?) throws(JinjaError) -> JinjaValue {
        switch callee {
        case .function(let function):
            var arguments = try self.arguments(call, frame, function: function.name)
            if let caller { arguments.keyword.append(("caller", .function(caller))) }
            return try function.body(&arguments)
        case .undefined(let undefined):
            throw undefined.error
        case .object(let object):
            guard let loop = object as? LoopState, case .function(let recurse)? = loop.callable else {
                throw JinjaError(.type, "'\(callee.typeName)' object is not callable")
            }
            var arguments = try self.arguments(call, frame, function: "loop")
            return try recurse.body(&arguments)
        default:
            throw JinjaError(.type, "'\(callee.typeName)' object is not callable")
        }
    }
}

/// The state of a `for` loop, as the template sees it through `loop`.
final class LoopState: JinjaObject {
    let items: [JinjaValue]
    let depth: Int
    var index = 0
    var lastChanged: [JinjaValue]?
    var recurse: ((JinjaValue) throws(JinjaError) -> String)?

    init(items: [JinjaValue], depth: Int) {
        self.items = items
        self.depth = depth
    }

    var typeName: String { "LoopContext" }
    var typeDescription: String { "jinja2.runtime.LoopContext object" }

    func attribute(_ name: String) -> JinjaValue? {
        let count = self.items.count
        switch name {
        case "index": return .int(self.index + 1)
        case "index0": return .int(self.index)
        case "revindex": return .int(count - self.index)
        case "revindex0": return .int(count - self.index - 1)
        case "first": return .bool(self.index == 0)
        case "last": return .bool(self.index == count - 1)
        case "length": return .int(count)
        case "depth": return .int(self.depth + 1)
        case "depth0": return .int(self.depth)
        case "previtem": return self.index > 0 ? self.items[self.index - 1] : .undefined(Undefined(.hint("there is no previous item")))
        case "nextitem": return self.index + 1 < count ? self.items[self.index + 1] : .undefined(Undefined(.hint("there is no next item")))
        case "cycle":
            return .function(
                JinjaFunction("cycle") { [unowned self] arguments throws(JinjaError) in
                    guard !arguments.positional.isEmpty else { throw JinjaError(.type, "no items for cycling given") }
                    return arguments.positional[self.index % arguments.positional.count]
                })
        case "changed":
            return .function(
                JinjaFunction("changed") { [unowned self] arguments throws(JinjaError) in
                    let values = arguments.positional
                    defer { self.lastChanged = values }
                    guard let last = self.lastChanged else { return .bool(true) }
                    return .bool(!JinjaValue.pyEquals(.list(last), .list(values)))
                })
        default: return nil
        }
    }
}

extension LoopState {
    /// `loop(items)` in a recursive loop: renders the loop body over `items`.
    var callable: JinjaValue? {
        guard let recurse = self.recurse else { return nil }
        return .function(
            JinjaFunction("loop") { arguments throws(JinjaError) in
                guard let items = arguments.positional.first else { throw JinjaError(.type, "loop() takes one argument") }
                return .string(try recurse(items))
            })
    }
}

extension Interpreter {
    func applyFilter(_ application: FilterApplication, to value: JinjaValue, _ frame: Frame) throws(JinjaError) -> JinjaValue {
        guard let filter = application.filter else { throw JinjaError(.assertion, "No filter named \(PythonText.repr(application.name)).") }
        var arguments = try self.arguments(application.call, frame, function: application.name)
        let result = try Filters.apply(filter, value, &arguments, self)
        try arguments.check(maxPositional: Int.max)
        return result
    }

    func applyTest(_ application: TestApplication, to value: JinjaValue, _ frame: Frame) throws(JinjaError) -> Bool {
        guard let test = application.test else { throw JinjaError(.assertion, "No test named \(PythonText.repr(application.name)).") }
        var arguments = try self.arguments(application.call, frame, function: application.name)
        return try Tests.apply(test, value, &arguments, self)
    }
}
