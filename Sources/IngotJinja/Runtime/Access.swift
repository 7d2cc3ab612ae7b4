/// Attribute, item and slice access with Jinja2's sandboxed rules: `value.name` looks for an
/// attribute (a method) first and then an item; `value[key]` an item first and then an
/// attribute; what is missing is undefined (an error only when used); the methods that mutate
/// lists and dicts are refused (ImmutableSandboxedEnvironment), as are names starting with `_`.
enum Access {
    /// `value.name`; `orItem: false` for the `attr` filter, which never looks up an item.
    static func attribute(_ value: JinjaValue, _ name: String, orItem: Bool = true) throws(JinjaError) -> JinjaValue {
        if case .undefined(let u) = value { throw u.error }
        if let method = try Methods.bound(value, name) { return method }
        switch value {
        case .dict(let dict) where orItem:
            if let found = dict[name] { return found }
        case .object(let object):
            if let found = object.attribute(name) { return found }
        case .function(let function):
            if let found = function.attributes[name] { return found }
        default:
            break
        }
        return .undefined(Undefined(.attribute(owner: value.objectTypeDescription, name: name)))
    }

    static func item(_ value: JinjaValue, _ key: JinjaValue) throws(JinjaError) -> JinjaValue {
        if case .undefined(let u) = value { throw u.error }
        if case .object(let object) = value, let elements = object.tupleElements, key.integer != nil {
            return try Self.item(.tuple(elements), key)
        }
        switch (value, key) {
        case (.dict(let dict), _):
            if let found = dict[key] { return found }
        case (.list(let items), _), (.tuple(let items), _):
            if let i = key.integer {
                let index = i < 0 ? items.count + i : i
                if items.indices.contains(index) { return items[index] }
            }
        case (.string(let s), _):
            if let i = key.integer {
                let scalars = s.unicodeScalars
                let count = scalars.count
                let index = i < 0 ? count + i : i
                if index >= 0 && index < count { return .string(String(scalars[scalars.index(scalars.startIndex, offsetBy: index)])) }
            }
        case (.object(let object), .string(let name)):
            if let found = object.attribute(name) { return found }
        default:
            break
        }
        if case .string(let name) = key {
            if let method = try Methods.bound(value, name) { return method }
            return .undefined(Undefined(.attribute(owner: value.objectTypeDescription, name: name)))
        }
        return .undefined(Undefined(.element(owner: value.objectTypeDescription, key: key.pyRepr)))
    }

    /// `value[start:stop:step]` with Python's clamping, for strings, lists and tuples.
    static func slice(_ value: JinjaValue, start: JinjaValue?, stop: JinjaValue?, step: JinjaValue?) throws(JinjaError) -> JinjaValue {
        if case .undefined(let u) = value { throw u.error }
        func bound(_ v: JinjaValue?) throws(JinjaError) -> Int? {
            guard let v, !v.isNone else { return nil }
            guard let i = v.integer else { throw JinjaError(.type, "slice indices must be integers or None or have an __index__ method") }
            return i
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw JinjaError(.value, "slice step cannot be zero") }
        func indices(_ count: Int) throws(JinjaError) -> [Int] {
            var lower = try bound(start)
            var upper = try bound(stop)
            if stepValue > 0 {
                lower = lower.map { $0 < 0 ? max(0, count + $0) : min($0, count) } ?? 0
                upper = upper.map { $0 < 0 ? max(0, count + $0) : min($0, count) } ?? count
                return lower! < upper! ? Array(stride(from: lower!, to: upper!, by: stepValue)) : []
            }
            lower = lower.map { $0 < 0 ? max(-1, count + $0) : min($0, count - 1) } ?? count - 1
            upper = upper.map { $0 < 0 ? max(-1, count + $0) : min($0, count - 1) } ?? -1
            return lower! > upper! ? Array(stride(from: lower!, to: upper!, by: stepValue)) : []
        }
        switch value {
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var view = String.UnicodeScalarView()
            for i in try indices(scalars.count) { view.append(scalars[i]) }
            return .string(String(view))
        case .list(let items): return .list(try indices(items.count).map { items[$0] })
        case .tuple(let items): return .tuple(try indices(items.count).map { items[$0] })
        default: throw JinjaError(.type, "'\(value.typeName)' object is not subscriptable")
        }
    }
}

extension JinjaValue {
    /// Whether this is Python's `None`.
    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
