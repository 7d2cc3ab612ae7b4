/// A built-in test of Jinja2 (`is defined`, `is string`, `is mapping`, ...), by the name templates use.
enum Test: String, CaseIterable, Sendable {
    case boolean, callable, defined, divisibleby, eq, equalto, escaped, even, `false`, filter, float, ge, gt, greaterthan, `in`, integer
    case iterable, le, lower, lt, lessthan, mapping, ne, none, number, odd, sameas, sequence, string, test, `true`, undefined, upper
    case equalSign = "==", notEqualSign = "!=", lessSign = "<", lessOrEqualSign = "<=", greaterSign = ">", greaterOrEqualSign = ">="
}

/// What each test does.
enum Tests {

    static func apply(_ test: Test, _ value: JinjaValue, _ a: inout JinjaArguments, _ interpreter: Interpreter) throws(JinjaError) -> Bool {
        let name = test.rawValue
        func other() throws(JinjaError) -> JinjaValue {
            guard let v = a.take(0, "other") ?? a.take(0, "value") else { throw JinjaError(.type, "test '\(name)' needs an argument") }
            return v
        }
        switch test {
        case .defined: return !value.isUndefined
        case .undefined: return value.isUndefined
        case .`none`: return value.isNone
        case .boolean:
            if case .bool = value { return true }
            return false
        case .`true`:
            if case .bool(true) = value { return true }
            return false
        case .`false`:
            if case .bool(false) = value { return true }
            return false
        case .integer:
            if case .int = value { return true }
            return false
        case .float:
            if case .float = value { return true }
            return false
        case .number: return value.number != nil
        case .string:
            if case .string = value { return true }
            return false
        case .mapping:
            if case .dict = value { return true }
            return false
        case .sequence:
            switch value {
            case .string, .list, .tuple, .dict, .undefined: return true
            case .object(let object): return object.tupleElements != nil
            default: return false
            }
        case .iterable:
            switch value {
            case .string, .list, .tuple, .dict, .undefined: return true
            case .object(let object): return object is JinjaIterator || object.tupleElements != nil
            default: return false
            }
        case .callable:
            if case .function = value { return true }
            return false
        case .escaped: return false
        case .odd, .even:
            guard let i = value.integer else { throw JinjaError(.type, "'\(value.typeName)' is not an integer") }
            return (i % 2 != 0) == (name == "odd")
        case .divisibleby:
            guard let i = value.integer, let n = try other().integer, n != 0 else { throw JinjaError(.zeroDivision, "integer modulo by zero") }
            return i % n == 0
        case .lower:
            guard case .string(let s) = value else { return false }
            return s.unicodeScalars.contains { $0.properties.isLowercase } && !s.unicodeScalars.contains { $0.properties.isUppercase }
        case .upper:
            guard case .string(let s) = value else { return false }
            return s.unicodeScalars.contains { $0.properties.isUppercase } && !s.unicodeScalars.contains { $0.properties.isLowercase }
        case .eq, .equalto, .equalSign: return JinjaValue.pyEquals(value, try other())
        case .ne, .notEqualSign: return !JinjaValue.pyEquals(value, try other())
        case .lt, .lessthan, .lessSign: return try JinjaValue.compare(value, try other(), "<") < 0
        case .le, .lessOrEqualSign: return try JinjaValue.compare(value, try other(), "<=") <= 0
        case .gt, .greaterthan, .greaterSign: return try JinjaValue.compare(value, try other(), ">") > 0
        case .ge, .greaterOrEqualSign: return try JinjaValue.compare(value, try other(), ">=") >= 0
        case .`in`: return try JinjaValue.contains(try other(), value)
        case .sameas:
            let o = try other()
            switch (value, o) {
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.object(let x), .object(let y)): return x === y
            case (.function(let x), .function(let y)): return x === y
            default: return false
            }
        case .filter: return Filter(rawValue: value.pyStr) != nil
        case .test: return Test(rawValue: value.pyStr) != nil
        }
    }
}
