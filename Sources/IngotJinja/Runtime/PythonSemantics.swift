import Foundation

// Python's meaning of truth, equality, order, arithmetic, `str` and `repr`, as Jinja2 evaluates
// template expressions with them. Error messages are Python's, word for word, because a
// template's refusal must read as transformers' does.

extension JinjaValue {
    /// Python's type name: `str`, `int`, `NoneType`, ...
    var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .object(let object): object.typeName
        case .function: "function"
        }
    }

    /// Jinja's `object_type_repr`: `list object`, `None`, `jinja2.utils.Namespace object`.
    var objectTypeDescription: String {
        switch self {
        case .none: "None"
        case .object(let object): object.typeDescription
        default: "\(self.typeName) object"
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python's truth value; undefined is false.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .float(let d): d != 0
        case .string(let s): !s.isEmpty
        case .list(let items), .tuple(let items): !items.isEmpty
        case .dict(let dict): dict.count > 0
        case .object, .function: true
        }
    }

    /// The value as a number, when it is one (booleans are integers in Python).
    var number: Double? {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }

    var integer: Int? {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .int(let i): i
        default: nil
        }
    }

    /// The value as a tuple, for objects that are tuples too (`groupby`'s items).
    var asTuple: JinjaValue {
        if case .object(let object) = self, let elements = object.tupleElements { return .tuple(elements) }
        return self
    }

    /// Python `==`.
    static func pyEquals(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a.asTuple, b.asTuple) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let x), .string(let y)): return PythonText.same(x, y)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { pyEquals($0, $1) }
        case (.dict(let x), .dict(let y)):
            return x.count == y.count && zip(x.keys, x.values).allSatisfy { key, value in y[key].map { pyEquals($0, value) } ?? false }
        case (.object(let x), .object(let y)): return x === y
        case (.function(let x), .function(let y)): return x === y
        default:
            if let x = a.integer, let y = b.integer { return x == y }
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    /// Python's ordering for `<`, `<=`, `>`, `>=`: -1, 0 or 1, or a TypeError naming `op`.
    static func compare(_ a: JinjaValue, _ b: JinjaValue, _ op: String) throws(JinjaError) -> Int {
        if case .undefined(let u) = a { throw u.error }
        if case .undefined(let u) = b { throw u.error }
        switch (a.asTuple, b.asTuple) {
        case (.string(let x), .string(let y)):
            if PythonText.same(x, y) { return 0 }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (u, v) in zip(x, y) where !pyEquals(u, v) { return try compare(u, v, op) }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default:
            if let x = a.integer, let y = b.integer { return x == y ? 0 : (x < y ? -1 : 1) }
            if let x = a.number, let y = b.number { return x == y ? 0 : (x < y ? -1 : 1) }
            throw JinjaError(.type, "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// Python `str()`: what `{{ value }}` prints.
    var pyStr: String {
        var out = ""
        _ = self.write(into: &out, repr: false, limit: .max)
        return out
    }

    /// Python `repr()`.
    var pyRepr: String {
        var out = ""
        _ = self.write(into: &out, repr: true, limit: .max)
        return out
    }

    /// `str()` of a value that may be large: a LimitError rather than more than `limit` bytes
    /// (a list holding the same long string a million times prints as gigabytes).
    func printed(limit: Int) throws(JinjaError) -> String {
        if case .string(let s) = self { return s }
        var out = ""
        guard self.write(into: &out, repr: false, limit: limit) else {
            throw JinjaError(.limit, "a value printed to more than \(limit) bytes")
        }
        return out
    }

    /// Appends `str()` (or `repr()`) to `out`; false, with `out` cut short, once `out` passes
    /// `limit` bytes or nesting passes 1000 levels (where Python raises RecursionError).
    func write(into out: inout String, repr: Bool, limit: Int, depth: Int = 0) -> Bool {
        guard depth < 1000 else { return false }
        func sequence(_ items: [JinjaValue], _ open: String, _ close: String, tuple: Bool = false) -> Bool {
            out += open
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                guard item.write(into: &out, repr: true, limit: limit, depth: depth + 1) else { return false }
            }
            if tuple && items.count == 1 { out += "," }
            out += close
            return out.utf8.count <= limit
        }
        switch self {
        case .undefined: if repr { out += "Undefined" }
        case .none: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .int(let i): out += String(i)
        case .float(let d): out += PythonText.float(d)
        case .string(let s): out += repr ? PythonText.repr(s) : s
        case .list(let items): return sequence(items, "[", "]")
        case .tuple(let items): return sequence(items, "(", ")", tuple: true)
        case .dict(let dict):
            out += "{"
            for (i, (key, value)) in zip(dict.keys, dict.values).enumerated() {
                if i > 0 { out += ", " }
                guard key.write(into: &out, repr: true, limit: limit, depth: depth + 1) else { return false }
                out += ": "
                guard value.write(into: &out, repr: true, limit: limit, depth: depth + 1) else { return false }
            }
            out += "}"
        case .object(let object):
            if let namespace = object as? Namespace {
                out += "<Namespace "
                guard JinjaValue.dict(namespace.attributes).write(into: &out, repr: true, limit: limit, depth: depth + 1) else { return false }
                out += ">"
            } else if let elements = object.tupleElements {
                return sequence(elements, "(", ")", tuple: true)
            } else {
                // Python adds the address, which no two runs share.
                out += "<\(object.typeDescription)>"
            }
        case .function(let f): out += "<function \(f.name)>"
        }
        return out.utf8.count <= limit
    }

    /// The items `for` iterates: list and tuple elements, dict keys, string characters, what an
    /// iterator has left (consumed); nothing for undefined.
    func iterated() throws(JinjaError) -> [JinjaValue] {
        switch self {
        case .undefined: return []
        case .list(let items), .tuple(let items): return items
        case .dict(let dict): return dict.keys
        case .string(let s):
            // A character is some 40 bytes as a value: iterating a long text would take far
            // more memory than the text.
            guard s.utf8.count <= Self.maximumIteratedCharacters || s.unicodeScalars.count <= Self.maximumIteratedCharacters else {
                throw JinjaError(.limit, "a string of more than \(Self.maximumIteratedCharacters) characters cannot be iterated")
            }
            return s.unicodeScalars.map { .string(String($0)) }
        case .object(let object as JinjaIterator): return object.drain()
        case .object(let object) where object.tupleElements != nil: return object.tupleElements!
        default: throw JinjaError(.type, "'\(self.typeName)' object is not iterable")
        }
    }

    /// The longest string whose characters can be iterated (as the default loop limit).
    static let maximumIteratedCharacters = 1 << 20

    /// Python `len()`; 0 for undefined.
    func length() throws(JinjaError) -> Int {
        switch self {
        case .undefined: return 0
        case .string(let s): return s.unicodeScalars.count
        case .list(let items), .tuple(let items): return items.count
        case .dict(let dict): return dict.count
        case .object(let object) where object.tupleElements != nil: return object.tupleElements!.count
        default: throw JinjaError(.type, "object of type '\(self.typeName)' has no len()")
        }
    }

    /// Python `a in b`.
    static func contains(_ container: JinjaValue, _ item: JinjaValue) throws(JinjaError) -> Bool {
        switch container {
        case .undefined: return false
        case .string(let s):
            guard case .string(let needle) = item else {
                throw JinjaError(.type, "'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return needle.isEmpty || s.utf8.firstRange(of: needle.utf8) != nil
        case .list(let items), .tuple(let items): return items.contains { pyEquals($0, item) }
        case .dict(let dict): return dict[item] != nil
        case .object(let object as JinjaIterator):
            // Consumed up to the match, as Python's `in` consumes an iterator.
            while let next = object.next() {
                if pyEquals(next, item) { return true }
            }
            return false
        case .object(let object) where object.tupleElements != nil: return object.tupleElements!.contains { pyEquals($0, item) }
        default: throw JinjaError(.type, "argument of type '\(container.typeName)' is not iterable")
        }
    }
}

// MARK: - Arithmetic

extension JinjaValue {
    static func add(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) -> JinjaValue {
        try Self.failIfUndefined(a, b)
        switch (a, b) {
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.tuple(let x), .tuple(let y)): return .tuple(x + y)
        case (.string, _), (.list, _), (.tuple, _):
            throw JinjaError(.type, "can only concatenate \(a.typeName) (not \"\(b.typeName)\") to \(a.typeName)")
        default:
            return try Self.arithmetic(a, b, "+", { x, y in x.addingReportingOverflow(y) }, { $0 + $1 })
        }
    }

    static func subtract(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) -> JinjaValue {
        try Self.failIfUndefined(a, b)
        return try Self.arithmetic(a, b, "-", { x, y in x.subtractingReportingOverflow(y) }, { $0 - $1 })
    }

    static func multiply(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) -> JinjaValue {
        try Self.failIfUndefined(a, b)
        switch (a, b) {
        case (.string(let s), _) where b.integer != nil: return .string(String(repeating: s, count: max(0, b.integer!)))
        case (_, .string(let s)) where a.integer != nil: return .string(String(repeating: s, count: max(0, a.integer!)))
        case (.list(let items), _) where b.integer != nil: return .list(Self.repeated(items, b.integer!))
        case (_, .list(let items)) where a.integer != nil: return .list(Self.repeated(items, a.integer!))
        case (.tuple(let items), _) where b.integer != nil: return .tuple(Self.repeated(items, b.integer!))
        case (_, .tuple(let items)) where a.integer != nil: return .tuple(Self.repeated(items, a.integer!))
        case (.string, _), (.list, _), (.tuple, _):
            throw JinjaError(.type, "can't multiply sequence by non-int of type '\(b.typeName)'")
        default:
            return try Self.arithmetic(a, b, "*", { x, y in x.multipliedReportingOverflow(by: y) }, { $0 * $1 })
        }
    }

    static func divide(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) -> JinjaValue {
        try Self.failIfUndefined(a, b)
        guard let x = a.number, let y = b.number else { throw Self.unsupported("/", a, b) }
        guard y != 0 else { throw JinjaError(.zeroDivision, "division by zero") }
        return .float(x / y)
    }

    static func floorDivide(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) -> JinjaValue {
        try Self.failIfUndefined(a, b)
        if let x = a.integer, let y = b.integer {
            guard y != 0 else { throw JinjaError(.zeroDivision, "integer division or modulo by zero") }
            guard !(x == .min && y == -1) else { throw JinjaError(.overflow, "integer result too large") }
            let q = x / y
            return .int((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q)
        }
        guard let x = a.number, let y = b.number else { throw Self.unsupported("//", a, b) }
        guard y != 0 else { throw JinjaError(.zeroDivision, "float floor division by zero") }
        return .float((x / y).rounded(.down))
    }

    static func modulo(_ a: JinjaValue, _ b: JinjaValue, maxBytes: Int) throws(JinjaError) -> JinjaValue {
        try Self.failIfUndefined(a, b)
        if case .string(let format) = a { return .string(try PrintfFormat.apply(format, b, maxBytes: maxBytes)) }
        if let x = a.integer, let y = b.integer {
            guard y != 0 else { throw JinjaError(.zeroDivision, "integer modulo by zero") }
            guard y != -1 else { return .int(0) }
            let r = x % y
            return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        }
        guard let x = a.number, let y = b.number else { throw Self.unsupported("%", a, b) }
        guard y != 0 else { throw JinjaError(.zeroDivision, "float modulo") }
        let r = x.truncatingRemainder(dividingBy: y)
        return .float(r != 0 && (r < 0) != (y < 0) ? r + y : r)
    }

    static func power(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) -> JinjaValue {
        try Self.failIfUndefined(a, b)
        if let x = a.integer, var y = b.integer, y >= 0 {
            // By squaring: `1 ** 10**18` must not take 10**18 steps.
            var result = 1
            var base = x
            while y > 0 {
                if y & 1 == 1 {
                    let (product, overflow) = result.multipliedReportingOverflow(by: base)
                    guard !overflow else { throw JinjaError(.overflow, "integer result too large") }
                    result = product
                }
                y >>= 1
                if y > 0 {
                    let (square, overflow) = base.multipliedReportingOverflow(by: base)
                    guard !overflow else { throw JinjaError(.overflow, "integer result too large") }
                    base = square
                }
            }
            return .int(result)
        }
        guard let x = a.number, let y = b.number else { throw Self.unsupported("** or pow()", a, b) }
        return .float(Foundation.pow(x, y))
    }

    static func negate(_ a: JinjaValue) throws(JinjaError) -> JinjaValue {
        if case .undefined(let u) = a { throw u.error }
        switch a {
        case .int(let i):
            guard i != .min else { throw JinjaError(.overflow, "integer result too large") }
            return .int(-i)
        case .bool(let b): return .int(b ? -1 : 0)
        case .float(let d): return .float(-d)
        default: throw JinjaError(.type, "bad operand type for unary -: '\(a.typeName)'")
        }
    }

    private static func failIfUndefined(_ a: JinjaValue, _ b: JinjaValue) throws(JinjaError) {
        if case .undefined(let u) = a { throw u.error }
        if case .undefined(let u) = b { throw u.error }
    }

    private static func unsupported(_ op: String, _ a: JinjaValue, _ b: JinjaValue) -> JinjaError {
        JinjaError(.type, "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    private static func repeated(_ items: [JinjaValue], _ times: Int) -> [JinjaValue] {
        guard times > 0 else { return [] }
        return Array([[JinjaValue]](repeating: items, count: times).joined())
    }

    private static func arithmetic(
        _ a: JinjaValue, _ b: JinjaValue, _ op: String, _ ints: (Int, Int) -> (partialValue: Int, overflow: Bool),
        _ floats: (Double, Double) -> Double
    ) throws(JinjaError) -> JinjaValue {
        if let x = a.integer, let y = b.integer {
            let (result, overflow) = ints(x, y)
            guard !overflow else { throw JinjaError(.overflow, "integer result too large") }
            return .int(result)
        }
        guard let x = a.number, let y = b.number else { throw Self.unsupported(op, a, b) }
        return .float(floats(x, y))
    }
}

/// Python's `%` string formatting, for the conversions templates use: `%s`, `%r`, `%d`/`%i`,
/// `%f`, `%x`, `%%`, with an optional width and precision, and `%(name)s` with a mapping.
enum PrintfFormat {
    static func apply(_ format: String, _ arguments: JinjaValue, maxBytes: Int) throws(JinjaError) -> String {
        var values: [JinjaValue]
        if case .tuple(let items) = arguments { values = items } else { values = [arguments] }
        let mapping: JinjaDict? = if case .dict(let dict) = arguments { dict } else { nil }
        var usedMapping = false
        var out = ""
        var scalars = Array(format.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "%" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            var key: String?
            if scalars.first == "(" {
                scalars.removeFirst()
                var name = ""
                while let c = scalars.popFirst(), c != ")" { name.unicodeScalars.append(c) }
                key = name
            }
            var spec = ""
            while let next = scalars.first, "-+ 0#.0123456789".unicodeScalars.contains(next) {
                spec.unicodeScalars.append(next)
                scalars.removeFirst()
            }
            guard let conversion = scalars.popFirst() else { throw JinjaError(.value, "incomplete format") }
            // Width and precision are sized before anything is padded to them.
            for number in spec.split(whereSeparator: { !$0.isNumber }) {
                guard let n = Int(number) else { throw JinjaError(.limit, "a value would exceed \(maxBytes) bytes") }
                try Sizes.require(n, maxBytes)
            }
            if conversion == "%" {
                out += "%"
                continue
            }
            let value: JinjaValue
            if let key {
                guard let mapping else { throw JinjaError(.type, "format requires a mapping") }
                guard let found = mapping[key] else { throw JinjaError(.lookup, PythonText.repr(key)) }
                value = found
                usedMapping = true
            } else {
                guard !values.isEmpty else { throw JinjaError(.type, "not enough arguments for format string") }
                value = values.removeFirst()
            }
            let text: String
            switch conversion {
            case "s": text = value.pyStr
            case "r": text = value.pyRepr
            case "d", "i":
                guard let n = value.number else { throw JinjaError(.type, "%\(conversion) format: a real number is required, not \(value.typeName)") }
                if let i = value.integer {
                    text = String(i)
                } else {
                    guard let i = Int(exactly: n.rounded(.towardZero)) else { throw JinjaError(.overflow, "cannot convert float \(PythonText.float(n)) to integer") }
                    text = String(i)
                }
            case "f", "F", "x", "X", "e", "E", "g", "G", "o":
                guard let n = value.number else { throw JinjaError(.type, "must be real number, not \(value.typeName)") }
                let integral = "xXo".unicodeScalars.contains(conversion)
                if integral {
                    guard let i = value.integer else { throw JinjaError(.type, "%\(Character(conversion)) format: an integer is required, not \(value.typeName)") }
                    text = String(format: "%\(spec)l\(Character(conversion))", i)
                } else {
                    text = String(format: "%\(spec)\(Character(conversion))", n)
                }
                out += text
                continue
            default: throw JinjaError(.value, "unsupported format character '\(Character(conversion))'")
            }
            out += Self.padded(text, spec)
        }
        guard values.isEmpty || usedMapping || mapping != nil else { throw JinjaError(.type, "not all arguments converted during string formatting") }
        return out
    }

    private static func padded(_ text: String, _ spec: String) -> String {
        let left = spec.hasPrefix("-")
        let width = Int(spec.drop { !$0.isNumber }.prefix { $0.isNumber }) ?? 0
        let count = text.unicodeScalars.count
        guard width > count else { return text }
        let padding = String(repeating: " ", count: width - count)
        return left ? text + padding : padding + text
    }
}
