/// A template expression, as Jinja2's parser builds it.
indirect enum Expression {
    case constant(Constant)
    case name(String)
    case list([Expression])
    case tuple([Expression])
    case dict([(key: Expression, value: Expression)])
    /// `value.name`: an attribute first, then an item (Jinja's getattr).
    case attribute(Expression, String)
    /// `value[key]`: an item first, then an attribute (Jinja's getitem).
    case item(Expression, Expression)
    case slice(Expression, start: Expression?, stop: Expression?, step: Expression?)
    case call(Expression, Call)
    case filter(Expression, FilterApplication)
    case test(Expression, TestApplication, negated: Bool)
    case not(Expression)
    case negate(Expression)
    case plus(Expression)
    case binary(BinaryOperator, Expression, Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case compare(Expression, [(op: CompareOperator, Expression)])
    /// `a ~ b ~ c`
    case concat([Expression])
    /// `a if condition else b` (`else` optional: undefined then).
    case conditional(condition: Expression, then: Expression, else: Expression?, line: Int)
}

/// A literal: Sendable, so compiled templates can be shared between workers.
enum Constant: Sendable {
    case none, bool(Bool), int(Int), float(Double), string(String)
}

/// `| name(arguments)`: the filter is found when the template is parsed (nil for a name that is
/// none, which compiling the template reports).
struct FilterApplication {
    let name: String
    let filter: Filter?
    let call: Call

    init(_ name: String, _ call: Call) {
        self.name = name
        self.filter = Filter(rawValue: name)
        self.call = call
    }
}

/// `is name(arguments)`, the test found when parsed.
struct TestApplication {
    let name: String
    let test: Test?
    let call: Call

    init(_ name: String, _ call: Call) {
        self.name = name
        self.test = Test(rawValue: name)
        self.call = call
    }
}

/// The arguments of a call, a filter or a test.
struct Call {
    var positional: [Expression] = []
    var keyword: [(name: String, value: Expression)] = []
    var splat: Expression?
    var doubleSplat: Expression?
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
}

enum CompareOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in` = "in", notIn = "not in"
}

/// What an assignment or a loop binds: a name, a tuple of targets, or a namespace attribute.
indirect enum Target {
    case name(String)
    case tuple([Target])
    case namespaceAttribute(String, String)
}

/// A template statement.
indirect enum Statement {
    case text(String)
    case output(Expression)
    case `if`([(condition: Expression, body: [Statement])], else: [Statement])
    case `for`(target: Target, iterable: Expression, filter: Expression?, body: [Statement], else: [Statement], recursive: Bool)
    case set(Target, Expression)
    /// `{% set x %}...{% endset %}`, optionally through filters.
    case setBlock(Target, filters: [FilterApplication], body: [Statement])
    case macro(name: String, parameters: [(name: String, defaultValue: Expression?)], body: [Statement])
    /// `{% call(args) macro(...) %}...{% endcall %}`
    case callBlock(Expression, Call, parameters: [(name: String, defaultValue: Expression?)], body: [Statement])
    case filterBlock([FilterApplication], body: [Statement])
    case with([(Target, Expression)], body: [Statement])
    case `break`
    case `continue`
    /// transformers' `{% generation %}`: renders its body (the marker only matters for masks).
    case generation([Statement])
}
