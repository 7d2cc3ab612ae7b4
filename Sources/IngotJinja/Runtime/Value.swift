/// A value in a template, with Python's data model as Jinja2 exposes it: `None`, booleans,
/// integers, floats, strings (sequences of Unicode scalars), lists, tuples, insertion-ordered
/// dicts, Jinja's undefined, objects with attributes (namespaces, `loop`) and callables.
public enum JinjaValue {
    case undefined(Undefined)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([JinjaValue])
    case tuple([JinjaValue])
    case dict(JinjaDict)
    case object(any JinjaObject)
    case function(JinjaFunction)

    /// An undefined name: `'x' is undefined` when used.
    static func undefined(named name: String) -> JinjaValue { .undefined(Undefined(.name(name))) }
}

/// Jinja2's `Undefined`: prints as nothing, iterates as nothing, is false, and raises an
/// `UndefinedError` naming what was missing when anything else is asked of it.
public struct Undefined {
    enum Origin {
        /// A name that is not defined.
        case name(String)
        /// A missing attribute or string key of a value of the given type (`'dict object'`).
        case attribute(owner: String, name: String)
        /// A missing element (a number or other key) of a value of the given type.
        case element(owner: String, key: String)
        /// An attribute the sandbox refuses; using it is a security error.
        case unsafe(String)
        /// Jinja's explicit hint: the message is the text itself.
        case hint(String)
    }

    let origin: Origin

    init(_ origin: Origin) {
        self.origin = origin
    }

    /// The error using this value raises.
    var error: JinjaError {
        switch self.origin {
        case .name(let name): JinjaError(.undefined, "\(PythonText.repr(name)) is undefined")
        case .attribute(let owner, let name): JinjaError(.undefined, "\(PythonText.repr(owner)) has no attribute \(PythonText.repr(name))")
        case .element(let owner, let key): JinjaError(.undefined, "\(owner) has no element \(key)")
        case .unsafe(let message): JinjaError(.security, message)
        case .hint(let message): JinjaError(.undefined, message)
        }
    }
}

/// A Python dict: keys in insertion order, looked up by Python equality (templates' dicts are
/// small: messages, tool schemas).
public struct JinjaDict {
    public private(set) var keys: [JinjaValue] = []
    public private(set) var values: [JinjaValue] = []

    public init() {}

    public init(_ pairs: [(key: JinjaValue, value: JinjaValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { self.keys.count }

    func index(of key: JinjaValue) -> Int? {
        if case .string(let wanted) = key {
            for (i, k) in self.keys.enumerated() {
                if case .string(let s) = k, PythonText.same(s, wanted) { return i }
            }
            return nil
        }
        return self.keys.firstIndex { JinjaValue.pyEquals($0, key) }
    }

    public subscript(key: JinjaValue) -> JinjaValue? {
        get { self.index(of: key).map { self.values[$0] } }
        set {
            if let i = self.index(of: key) {
                if let newValue { self.values[i] = newValue } else {
                    self.keys.remove(at: i)
                    self.values.remove(at: i)
                }
            } else if let newValue {
                self.keys.append(key)
                self.values.append(newValue)
            }
        }
    }

    public subscript(key: String) -> JinjaValue? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    var items: [(key: JinjaValue, value: JinjaValue)] { Array(zip(self.keys, self.values)) }
}

/// An object with attributes (a namespace, the `loop` variable, a cycler, an iterator).
public protocol JinjaObject: AnyObject {
    /// Python's name of its type: `Namespace`, `generator`.
    var typeName: String { get }
    /// How Jinja names its type in messages: `jinja2.utils.Namespace object`.
    var typeDescription: String { get }
    func attribute(_ name: String) -> JinjaValue?
    /// The elements of an object that is also a tuple (Jinja's `_GroupTuple`), else nil.
    var tupleElements: [JinjaValue]? { get }
}

extension JinjaObject {
    public var typeDescription: String { "\(self.typeName) object" }
    public func attribute(_ name: String) -> JinjaValue? { nil }
    public var tupleElements: [JinjaValue]? { nil }
}

/// A callable: a built-in function, a bound method, a filter given as a value, or a macro.
public final class JinjaFunction {
    public typealias Body = (inout JinjaArguments) throws(JinjaError) -> JinjaValue

    let name: String
    let body: Body
    /// Attributes of the callable itself (`dict.fromkeys`).
    let attributes: [String: JinjaValue]

    init(_ name: String, attributes: [String: JinjaValue] = [:], _ body: @escaping Body) {
        self.name = name
        self.attributes = attributes
        self.body = body
    }
}

/// The arguments of a call: positional, then keyword, consumed by name or position.
public struct JinjaArguments {
    var positional: [JinjaValue]
    var keyword: [(name: String, value: JinjaValue)]
    let function: String
    /// The largest string (bytes) or list (8 bytes an element) the call may build.
    let maxBytes: Int

    init(_ positional: [JinjaValue] = [], keyword: [(name: String, value: JinjaValue)] = [], function: String, maxBytes: Int) {
        self.positional = positional
        self.keyword = keyword
        self.function = function
        self.maxBytes = maxBytes
    }

    /// The argument at `position` or named `name`, else `defaultValue`, else nil.
    mutating func take(_ position: Int, _ name: String) -> JinjaValue? {
        if let i = self.keyword.firstIndex(where: { $0.name == name }) {
            return self.keyword.remove(at: i).value
        }
        return position < self.positional.count ? self.positional[position] : nil
    }

    /// The keyword argument `name`, if given.
    mutating func takeKeyword(_ name: String) -> JinjaValue? {
        guard let i = self.keyword.firstIndex(where: { $0.name == name }) else { return nil }
        return self.keyword.remove(at: i).value
    }

    /// Throws a TypeError when arguments were given that nothing took.
    func check(maxPositional: Int) throws(JinjaError) {
        if self.positional.count > maxPositional {
            throw JinjaError(.type, "\(self.function)() takes at most \(maxPositional) positional arguments (\(self.positional.count) given)")
        }
        if let extra = self.keyword.first {
            throw JinjaError(.type, "\(self.function)() got an unexpected keyword argument \(PythonText.repr(extra.name))")
        }
    }
}
