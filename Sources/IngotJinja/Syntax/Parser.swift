/// Jinja2's grammar, over the lexer's tokens: statements and their end tags, and expressions
/// with Jinja's precedence (conditional, or, and, not, comparisons, + -, ~, * / // %, **, unary,
/// then postfix subscripts and calls, then filters and tests).
struct Parser {
    private let tokens: [Token]
    private var index = 0
    /// How deeply expressions and blocks nest now; Jinja2 itself stops near Python's recursion
    /// limit, and a bound keeps a hostile template from exhausting the stack.
    private var nesting = 0
    static let maximumNesting = 200
    /// Operators, subscripts, calls and filters in the current tag: each wraps the expression
    /// before it, so a tag of 100,000 `+` would build a tree that deep.
    private var operators = 0
    static let maximumOperators = 500

    static func parse(_ source: String) throws(JinjaError) -> [Statement] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let body = try parser.statements(until: [])
        return body
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    // MARK: Token stream

    private var current: Token { self.index < self.tokens.count ? self.tokens[self.index] : Token(kind: .end, line: self.tokens.last?.line ?? 1) }

    private func peek(_ offset: Int = 1) -> Token {
        self.index + offset < self.tokens.count ? self.tokens[self.index + offset] : Token(kind: .end, line: 0)
    }

    private mutating func next() -> Token {
        let token = self.current
        self.index += 1
        return token
    }

    private func fail(_ message: String) -> JinjaError {
        JinjaError(.syntax, "\(message) (line \(self.current.line))")
    }

    private func isName(_ name: String, _ token: Token? = nil) -> Bool {
        if case .name(let n) = (token ?? self.current).kind { return n == name }
        return false
    }

    private func isOp(_ op: String, _ token: Token? = nil) -> Bool {
        if case .op(let o) = (token ?? self.current).kind { return o == op }
        return false
    }

    private mutating func skipName(_ name: String) -> Bool {
        guard self.isName(name) else { return false }
        self.index += 1
        return true
    }

    private mutating func skipOp(_ op: String) -> Bool {
        guard self.isOp(op) else { return false }
        self.index += 1
        return true
    }

    private mutating func expectOp(_ op: String) throws(JinjaError) {
        guard self.skipOp(op) else { throw self.fail("expected '\(op)', got \(Self.describe(self.current))") }
    }

    private mutating func expectName() throws(JinjaError) -> String {
        guard case .name(let name) = self.current.kind else { throw self.fail("expected a name, got \(Self.describe(self.current))") }
        self.index += 1
        return name
    }

    private mutating func expectBlockEnd() throws(JinjaError) {
        guard self.current.kind == .blockEnd else { throw self.fail("expected the end of the block tag, got \(Self.describe(self.current))") }
        self.index += 1
    }

    private static func describe(_ token: Token) -> String {
        switch token.kind {
        case .data: "template data"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "'%}'"
        case .name(let n): "'\(n)'"
        case .string(let s): PythonText.repr(s)
        case .integer(let i): "\(i)"
        case .float(let d): "\(d)"
        case .op(let o): "'\(o)'"
        case .end: "end of template"
        }
    }

    // MARK: Statements

    /// Statements up to a block tag whose first name is in `ends` (left current), or the end.
    private mutating func statements(until ends: Set<String>) throws(JinjaError) -> [Statement] {
        var body: [Statement] = []
        while true {
            switch self.current.kind {
            case .end:
                if !ends.isEmpty { throw self.fail("unexpected end of template, expected \(ends.sorted().map { "'\($0)'" }.joined(separator: " or "))") }
                return body
            case .data(let text):
                self.index += 1
                body.append(.text(text))
            case .variableBegin:
                self.index += 1
                self.operators = 0
                let expression = try self.tupleExpression()
                guard self.current.kind == .variableEnd else { throw self.fail("expected '}}', got \(Self.describe(self.current))") }
                self.index += 1
                body.append(.output(expression))
            case .blockBegin:
                if case .name(let name) = self.peek().kind, ends.contains(name) {
                    self.index += 1
                    return body
                }
                self.index += 1
                self.operators = 0
                body.append(try self.statement())
            default:
                throw self.fail("unexpected \(Self.describe(self.current))")
            }
        }
    }

    /// Consumes `{% name %}` (the block begin was consumed by `statements(until:)`).
    private mutating func endTag(_ name: String) throws(JinjaError) {
        guard self.skipName(name) else { throw self.fail("expected '\(name)'") }
        try self.expectBlockEnd()
    }

    /// Counts one operator of the current tag.
    private mutating func wrap() throws(JinjaError) {
        self.operators += 1
        guard self.operators <= Self.maximumOperators else { throw self.fail("a tag has more than \(Self.maximumOperators) operators") }
    }

    private mutating func enter() throws(JinjaError) {
        self.nesting += 1
        guard self.nesting <= Self.maximumNesting else { throw self.fail("expressions or blocks nest more than \(Self.maximumNesting) levels deep") }
    }

    private mutating func statement() throws(JinjaError) -> Statement {
        try self.enter()
        defer { self.nesting -= 1 }
        let keyword = try self.expectName()
        switch keyword {
        case "if": return try self.ifStatement()
        case "for": return try self.forStatement()
        case "set": return try self.setStatement()
        case "macro": return try self.macroStatement()
        case "call": return try self.callStatement()
        case "filter":
            // The first filter has no bar: `{% filter upper | trim %}`.
            var filters = [FilterApplication(try self.dottedName(), self.isOp("(") ? try self.callArguments() : Call())]
            filters += try self.filterChain()
            try self.expectBlockEnd()
            let body = try self.statements(until: ["endfilter"])
            try self.endTag("endfilter")
            return .filterBlock(filters, body: body)
        case "with":
            var assignments: [(Target, Expression)] = []
            while self.current.kind != .blockEnd {
                if !assignments.isEmpty { try self.expectOp(",") }
                let target = try self.assignTarget()
                try self.expectOp("=")
                assignments.append((target, try self.expression()))
            }
            try self.expectBlockEnd()
            let body = try self.statements(until: ["endwith"])
            try self.endTag("endwith")
            return .with(assignments, body: body)
        case "break":
            try self.expectBlockEnd()
            return .break
        case "continue":
            try self.expectBlockEnd()
            return .continue
        case "generation":
            try self.expectBlockEnd()
            let body = try self.statements(until: ["endgeneration"])
            try self.endTag("endgeneration")
            return .generation(body)
        case "include", "import", "from", "extends", "block":
            throw self.fail("'\(keyword)' is not supported: a chat template renders on its own, with no other templates")
        default:
            throw self.fail("Encountered unknown tag '\(keyword)'")
        }
    }

    private mutating func ifStatement() throws(JinjaError) -> Statement {
        var branches: [(condition: Expression, body: [Statement])] = []
        var condition = try self.tupleExpression()
        while true {
            try self.expectBlockEnd()
            let body = try self.statements(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            let tag = try self.expectName()
            if tag == "elif" {
                condition = try self.tupleExpression()
                continue
            }
            if tag == "else" {
                try self.expectBlockEnd()
                let elseBody = try self.statements(until: ["endif"])
                try self.endTag("endif")
                return .if(branches, else: elseBody)
            }
            try self.expectBlockEnd()
            return .if(branches, else: [])
        }
    }

    private mutating func forStatement() throws(JinjaError) -> Statement {
        let target = try self.assignTarget(extraEnd: "in")
        guard self.skipName("in") else { throw self.fail("expected 'in'") }
        let iterable = try self.tupleExpression(withConditional: false, extraEnd: "recursive")
        var filter: Expression?
        if self.skipName("if") { filter = try self.expression() }
        let recursive = self.skipName("recursive")
        try self.expectBlockEnd()
        let body = try self.statements(until: ["endfor", "else"])
        var elseBody: [Statement] = []
        if self.skipName("else") {
            try self.expectBlockEnd()
            elseBody = try self.statements(until: ["endfor"])
        }
        try self.endTag("endfor")
        return .for(target: target, iterable: iterable, filter: filter, body: body, else: elseBody, recursive: recursive)
    }

    private mutating func setStatement() throws(JinjaError) -> Statement {
        let target = try self.assignTarget(withNamespace: true)
        if self.skipOp("=") {
            let value = try self.tupleExpression()
            try self.expectBlockEnd()
            return .set(target, value)
        }
        let filters = self.isOp("|") ? try self.filterChain() : []
        try self.expectBlockEnd()
        let body = try self.statements(until: ["endset"])
        try self.endTag("endset")
        return .setBlock(target, filters: filters, body: body)
    }

    private mutating func macroStatement() throws(JinjaError) -> Statement {
        let name = try self.expectName()
        let parameters = try self.parameterList()
        try self.expectBlockEnd()
        let body = try self.statements(until: ["endmacro"])
        try self.endTag("endmacro")
        return .macro(name: name, parameters: parameters, body: body)
    }

    private mutating func callStatement() throws(JinjaError) -> Statement {
        let parameters = self.isOp("(") ? try self.parameterList() : []
        let callee = try self.expression()
        guard case .call(let function, let call) = callee else { throw self.fail("expected a call") }
        try self.expectBlockEnd()
        let body = try self.statements(until: ["endcall"])
        try self.endTag("endcall")
        return .callBlock(function, call, parameters: parameters, body: body)
    }

    /// `(a, b=1, ...)` of a macro or a call block.
    private mutating func parameterList() throws(JinjaError) -> [(name: String, defaultValue: Expression?)] {
        try self.expectOp("(")
        var parameters: [(name: String, defaultValue: Expression?)] = []
        while !self.isOp(")") {
            if !parameters.isEmpty { try self.expectOp(",") }
            if self.isOp(")") { break }
            let name = try self.expectName()
            let value: Expression? = self.skipOp("=") ? try self.expression() : nil
            if value == nil && parameters.contains(where: { $0.defaultValue != nil }) {
                throw self.fail("non-default argument follows default argument")
            }
            parameters.append((name, value))
        }
        try self.expectOp(")")
        return parameters
    }

    /// Names, tuples of names and (for `set`) `namespace.attribute`.
    private mutating func assignTarget(withNamespace: Bool = false, extraEnd: String? = nil) throws(JinjaError) -> Target {
        var targets: [Target] = []
        var isTuple = false
        while true {
            if !targets.isEmpty {
                guard self.skipOp(",") else { break }
                isTuple = true
                if let extraEnd, self.isName(extraEnd) { break }
                if self.isOp("=") || self.current.kind == .blockEnd { break }
            }
            if self.skipOp("(") {
                targets.append(try self.assignTarget(withNamespace: withNamespace))
                try self.expectOp(")")
            } else {
                let name = try self.expectName()
                if withNamespace && self.skipOp(".") {
                    targets.append(.namespaceAttribute(name, try self.expectName()))
                } else {
                    targets.append(.name(name))
                }
            }
            if !self.isOp(",") { break }
        }
        return isTuple || targets.count > 1 ? .tuple(targets) : targets[0]
    }

    private mutating func filterChain() throws(JinjaError) -> [FilterApplication] {
        var filters: [FilterApplication] = []
        while self.skipOp("|") {
            let name = try self.dottedName()
            filters.append(FilterApplication(name, self.isOp("(") ? try self.callArguments() : Call()))
        }
        return filters
    }

    // MARK: Expressions

    /// An expression, or a tuple of them separated by commas (`{{ a, b }}`, `for x in a, b`).
    private mutating func tupleExpression(withConditional: Bool = true, extraEnd: String? = nil) throws(JinjaError) -> Expression {
        var items: [Expression] = []
        var isTuple = false
        while true {
            if !items.isEmpty {
                guard self.skipOp(",") else { break }
                isTuple = true
            }
            if self.isTupleEnd(extraEnd) { break }
            items.append(withConditional ? try self.expression() : try self.or())
            if !self.isOp(",") { break }
        }
        if !isTuple {
            guard let first = items.first else { throw self.fail("Expected an expression, got \(Self.describe(self.current))") }
            return first
        }
        return .tuple(items)
    }

    private func isTupleEnd(_ extraEnd: String?) -> Bool {
        switch self.current.kind {
        case .variableEnd, .blockEnd, .end: return true
        case .op(let o): return o == ")" || o == "]" || o == "}"
        case .name(let n): return n == extraEnd || n == "if" && extraEnd == "recursive"
        default: return false
        }
    }

    mutating func expression() throws(JinjaError) -> Expression {
        try self.enter()
        defer { self.nesting -= 1 }
        let line = self.current.line
        var result = try self.or()
        while self.skipName("if") {
            try self.wrap()
            let condition = try self.or()
            let otherwise: Expression? = self.skipName("else") ? try self.expression() : nil
            result = .conditional(condition: condition, then: result, else: otherwise, line: line)
        }
        return result
    }

    private mutating func or() throws(JinjaError) -> Expression {
        var left = try self.and()
        while self.skipName("or") {
            try self.wrap()
            left = .or(left, try self.and())
        }
        return left
    }

    private mutating func and() throws(JinjaError) -> Expression {
        var left = try self.not()
        while self.skipName("and") {
            try self.wrap()
            left = .and(left, try self.not())
        }
        return left
    }

    private mutating func not() throws(JinjaError) -> Expression {
        if self.skipName("not") {
            try self.enter()
            defer { self.nesting -= 1 }
            return .not(try self.not())
        }
        return try self.comparison()
    }

    private mutating func comparison() throws(JinjaError) -> Expression {
        let left = try self.sum()
        var operations: [(op: CompareOperator, Expression)] = []
        while true {
            if case .op(let o) = self.current.kind, let op = CompareOperator(rawValue: o), op != .in, op != .notIn {
                self.index += 1
                operations.append((op, try self.sum()))
            } else if self.skipName("in") {
                operations.append((.in, try self.sum()))
            } else if self.isName("not") && self.isName("in", self.peek()) {
                self.index += 2
                operations.append((.notIn, try self.sum()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : .compare(left, operations)
    }

    private mutating func sum() throws(JinjaError) -> Expression {
        var left = try self.concatenation()
        while true {
            if self.skipOp("+") {
                try self.wrap()
                left = .binary(.add, left, try self.concatenation())
            } else if self.skipOp("-") {
                try self.wrap()
                left = .binary(.subtract, left, try self.concatenation())
            } else {
                return left
            }
        }
    }

    private mutating func concatenation() throws(JinjaError) -> Expression {
        var parts = [try self.product()]
        while self.skipOp("~") { parts.append(try self.product()) }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    private mutating func product() throws(JinjaError) -> Expression {
        var left = try self.power()
        while case .op(let o) = self.current.kind, let op = BinaryOperator(rawValue: o), [.multiply, .divide, .floorDivide, .modulo].contains(op) {
            self.index += 1
            try self.wrap()
            left = .binary(op, left, try self.power())
        }
        return left
    }

    private mutating func power() throws(JinjaError) -> Expression {
        var left = try self.unary()
        while self.skipOp("**") {
            try self.wrap()
            left = .binary(.power, left, try self.unary())
        }
        return left
    }

    private mutating func unary(withFilters: Bool = true) throws(JinjaError) -> Expression {
        var node: Expression
        if self.skipOp("-") {
            try self.enter()
            defer { self.nesting -= 1 }
            node = .negate(try self.unary(withFilters: false))
        } else if self.skipOp("+") {
            try self.enter()
            defer { self.nesting -= 1 }
            node = .plus(try self.unary(withFilters: false))
        } else {
            node = try self.primary()
        }
        node = try self.postfix(node)
        if withFilters { node = try self.filtersAndTests(node) }
        return node
    }

    private mutating func primary() throws(JinjaError) -> Expression {
        let token = self.next()
        switch token.kind {
        case .name(let name):
            switch name {
            case "true", "True": return .constant(.bool(true))
            case "false", "False": return .constant(.bool(false))
            case "none", "None": return .constant(.none)
            default: return .name(name)
            }
        case .string(var text):
            while case .string(let more) = self.current.kind {
                text += more
                self.index += 1
            }
            return .constant(.string(text))
        case .integer(let i): return .constant(.int(i))
        case .float(let d): return .constant(.float(d))
        case .op("("):
            if self.skipOp(")") { return .tuple([]) }
            let inner = try self.tupleExpression()
            try self.expectOp(")")
            return inner
        case .op("["):
            var items: [Expression] = []
            while !self.isOp("]") {
                if !items.isEmpty { try self.expectOp(",") }
                if self.isOp("]") { break }
                items.append(try self.expression())
            }
            try self.expectOp("]")
            return .list(items)
        case .op("{"):
            var pairs: [(key: Expression, value: Expression)] = []
            while !self.isOp("}") {
                if !pairs.isEmpty { try self.expectOp(",") }
                if self.isOp("}") { break }
                let key = try self.expression()
                try self.expectOp(":")
                pairs.append((key, try self.expression()))
            }
            try self.expectOp("}")
            return .dict(pairs)
        default:
            self.index -= 1
            throw self.fail("unexpected \(Self.describe(token))")
        }
    }

    private mutating func postfix(_ base: Expression) throws(JinjaError) -> Expression {
        var node = base
        while true {
            if self.isOp(".") || self.isOp("[") || self.isOp("(") { try self.wrap() }
            if self.skipOp(".") {
                let token = self.next()
                switch token.kind {
                case .name(let name): node = .attribute(node, name)
                case .integer(let i): node = .item(node, .constant(.int(i)))
                default: throw self.fail("expected name or number")
                }
            } else if self.skipOp("[") {
                var subscripts: [Expression] = []
                while !self.isOp("]") {
                    if !subscripts.isEmpty { try self.expectOp(",") }
                    subscripts.append(try self.subscriptExpression(of: node))
                }
                try self.expectOp("]")
                guard let first = subscripts.first else { throw self.fail("expected subscript expression") }
                if case .slice = first, subscripts.count == 1 {
                    node = first
                } else {
                    node = subscripts.count == 1 ? .item(node, first) : .item(node, .tuple(subscripts))
                }
            } else if self.isOp("(") {
                node = .call(node, try self.callArguments())
            } else {
                return node
            }
        }
    }

    /// One subscript: an expression, or a slice `start:stop:step` (each part optional).
    private mutating func subscriptExpression(of base: Expression) throws(JinjaError) -> Expression {
        var start: Expression?
        if !self.isOp(":") {
            let expression = try self.expression()
            guard self.isOp(":") else { return expression }
            start = expression
        }
        try self.expectOp(":")
        var stop: Expression?
        if !self.isOp(":") && !self.isOp("]") && !self.isOp(",") { stop = try self.expression() }
        var step: Expression?
        if self.skipOp(":") && !self.isOp("]") && !self.isOp(",") { step = try self.expression() }
        return .slice(base, start: start, stop: stop, step: step)
    }

    private mutating func filtersAndTests(_ base: Expression) throws(JinjaError) -> Expression {
        var node = base
        while true {
            if self.isOp("|") || self.isName("is") || self.isOp("(") { try self.wrap() }
            if self.skipOp("|") {
                let name = try self.dottedName()
                node = .filter(node, FilterApplication(name, self.isOp("(") ? try self.callArguments() : Call()))
            } else if self.skipName("is") {
                let negated = self.skipName("not")
                let name = try self.dottedName()
                var call = Call()
                if self.isOp("(") {
                    call = try self.callArguments()
                } else if self.startsTestArgument() {
                    if self.isName("is") { throw self.fail("You cannot chain multiple tests with is") }
                    call.positional = [try self.postfix(try self.primary())]
                }
                node = .test(node, TestApplication(name, call), negated: negated)
            } else if self.isOp("(") {
                node = .call(node, try self.callArguments())
            } else {
                return node
            }
        }
    }

    /// A test's single argument without parentheses (`is divisibleby 3`, `is sameas none`).
    private func startsTestArgument() -> Bool {
        switch self.current.kind {
        case .name(let n): return !["else", "or", "and"].contains(n)
        case .string, .integer, .float: return true
        case .op(let o): return o == "(" || o == "[" || o == "{"
        default: return false
        }
    }

    private mutating func dottedName() throws(JinjaError) -> String {
        var name = try self.expectName()
        while self.skipOp(".") { name += "." + (try self.expectName()) }
        return name
    }

    private mutating func callArguments() throws(JinjaError) -> Call {
        try self.expectOp("(")
        var call = Call()
        var first = true
        while !self.isOp(")") {
            if !first {
                try self.expectOp(",")
                if self.isOp(")") { break }
            }
            first = false
            if self.skipOp("*") {
                call.splat = try self.expression()
            } else if self.skipOp("**") {
                call.doubleSplat = try self.expression()
            } else if case .name(let name) = self.current.kind, self.isOp("=", self.peek()) {
                self.index += 2
                call.keyword.append((name, try self.expression()))
            } else {
                guard call.keyword.isEmpty && call.splat == nil && call.doubleSplat == nil else {
                    throw self.fail("invalid syntax for function call expression")
                }
                call.positional.append(try self.expression())
            }
        }
        try self.expectOp(")")
        return call
    }
}
