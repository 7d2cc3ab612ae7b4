import Foundation

/// A built-in filter of Jinja2 (and transformers' `tojson`), by the name templates use.
enum Filter: String, CaseIterable, Sendable {
    case abs, attr, batch, capitalize, center, count, d, `default`, dictsort, e, escape, first, float, forceescape, format, groupby
    case indent, int, items, join, last, length, list, lower, map, max, min, pprint, reject, rejectattr, replace, reverse, round
    case safe, select, selectattr, slice, sort, string, striptags, sum, title, tojson, trim, truncate, unique, upper, wordcount
}

/// What each filter does. Arguments are bound as Jinja binds them: by position or by keyword.
enum Filters {

    static func apply(
        _ filter: Filter, _ value: JinjaValue, _ a: inout JinjaArguments, _ interpreter: Interpreter
    ) throws(JinjaError) -> JinjaValue {
        let name = filter.rawValue
        switch filter {
        case .abs:
            if case .undefined(let u) = value { throw u.error }
            switch value {
            case .int(let i): return .int(abs(i))
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return .float(abs(d))
            default: throw JinjaError(.type, "bad operand type for abs(): '\(value.typeName)'")
            }
        case .attr:
            guard case .string(let attribute)? = a.take(0, "name") else { throw JinjaError(.type, "attr() needs an attribute name") }
            return try Access.attribute(value, attribute, orItem: false)
        case .batch, .slice:
            guard let size = a.take(0, name == "batch" ? "linecount" : "slices")?.integer, size > 0 else {
                throw JinjaError(.value, "\(name) needs a positive size")
            }
            let fill = a.take(1, "fill_with")
            let items = try value.iterated()
            // Padding (batch) and empty groups (slice) are built for the size asked.
            try Sizes.require(8, times: size, a.maxBytes)
            var groups: [[JinjaValue]] = []
            if filter == .batch {
                for start in stride(from: 0, to: items.count, by: size) { groups.append(Array(items[start..<min(start + size, items.count)])) }
                if let fill, !fill.isNone, let last = groups.last, last.count < size {
                    groups[groups.count - 1] = last + Array(repeating: fill, count: size - last.count)
                }
            } else {
                let per = items.count / size
                let extra = items.count % size
                var offset = 0
                for i in 0..<size {
                    let length = per + (i < extra ? 1 : 0)
                    var group = Array(items[offset..<(offset + length)])
                    offset += length
                    if let fill, !fill.isNone, extra > 0, i >= extra { group.append(fill) }
                    groups.append(group)
                }
            }
            return .object(JinjaIterator(groups.map { .list($0) }))
        case .capitalize: return .string(PythonStrings.capitalize(value.pyStr))
        case .center:
            let width = a.take(0, "width")?.integer ?? 80
            return .string(try PythonStrings.pad(value.pyStr, width: width, fill: " ", how: "center", maxBytes: a.maxBytes))
        case .count, .length: return .int(try value.length())
        case .d, .`default`:
            let fallback = a.take(0, "default_value") ?? .string("")
            let boolean = a.take(1, "boolean")?.isTruthy ?? false
            if value.isUndefined || (boolean && !value.isTruthy) { return fallback }
            return value
        case .dictsort:
            let caseSensitive = a.take(0, "case_sensitive")?.isTruthy ?? false
            let by = a.take(1, "by")?.pyStr ?? "key"
            let reverse = a.take(2, "reverse")?.isTruthy ?? false
            guard case .dict(let dict) = value else {
                if case .undefined(let u) = value { throw u.error }
                throw JinjaError(.type, "'\(value.typeName)' object has no attribute 'items'")
            }
            guard by == "key" || by == "value" else { throw JinjaError(.value, "You can only sort by either \"key\" or \"value\"") }
            let pairs = try Self.sorted(dict.items.map { JinjaValue.tuple([$0.key, $0.value]) }, reverse: reverse) { pair in
                guard case .tuple(let kv) = pair else { return pair }
                let key = by == "key" ? kv[0] : kv[1]
                return caseSensitive ? key : Self.folded(key)
            }
            return .list(pairs)
        case .e, .escape, .forceescape:
            return .string(Self.escapeHTML(value.pyStr))
        case .first:
            if case .undefined(let u) = value { throw u.error }
            let first = if case .object(let iterator as JinjaIterator) = value { iterator.next() } else { try value.iterated().first }
            return first ?? .undefined(Undefined(.hint("No first item, sequence was empty.")))
        case .last:
            if case .undefined(let u) = value { throw u.error }
            // Python's reversed(): iterators and mappings cannot be reversed.
            if case .object(let object) = value, object.tupleElements == nil { throw JinjaError(.type, "'\(value.typeName)' object is not reversible") }
            return try value.iterated().last ?? .undefined(Undefined(.hint("No last item, sequence was empty.")))
        case .float:
            let fallback = a.take(0, "default") ?? .float(0)
            switch value {
            case .int(let i): return .float(Double(i))
            case .float: return value
            case .bool(let b): return .float(b ? 1 : 0)
            case .string(let s): return PythonText.parseFloat(s).map { .float($0) } ?? fallback
            default: return fallback
            }
        case .int:
            let fallback = a.take(0, "default") ?? .int(0)
            let base = a.take(1, "base")?.integer ?? 10
            switch value {
            case .int: return value
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return Int(exactly: d.rounded(.towardZero)).map { .int($0) } ?? fallback
            case .string(let s):
                // int(s, base), else int(float(s)), else the default.
                if let i = PythonText.parseInt(s, base: base) { return .int(i) }
                if let d = PythonText.parseFloat(s), let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
                return fallback
            default: return fallback
            }
        case .format:
            let arguments: JinjaValue = a.keyword.isEmpty ? .tuple(a.positional) : .dict(JinjaDict(a.keyword.map { (.string($0.name), $0.value) }))
            a.positional = []
            a.keyword = []
            return .string(try PrintfFormat.apply(value.pyStr, arguments, maxBytes: a.maxBytes))
        case .groupby:
            guard let attribute = a.take(0, "attribute") else { throw JinjaError(.type, "groupby() needs an attribute") }
            let fallback = a.take(1, "default")
            let caseSensitive = a.take(2, "case_sensitive")?.isTruthy ?? false
            let items = try value.iterated()
            var groups: [(key: JinjaValue, items: [JinjaValue])] = []
            // Sorted and grouped by the key (lowered unless case-sensitive); each group named by
            // its first item's key as it was.
            let sortedItems = try Self.sorted(items, reverse: false) { item throws(JinjaError) in
                let key = try Self.lookup(item, attribute, fallback)
                return caseSensitive ? key : Self.folded(key)
            }
            for item in sortedItems {
                let key = try Self.lookup(item, attribute, fallback)
                let compared = caseSensitive ? key : Self.folded(key)
                if let last = groups.last, JinjaValue.pyEquals(caseSensitive ? last.key : Self.folded(last.key), compared) {
                    groups[groups.count - 1].items.append(item)
                } else {
                    groups.append((key, [item]))
                }
            }
            return .list(groups.map { .object(GroupTuple(grouper: $0.key, list: $0.items)) })
        case .indent:
            let width: String
            switch a.take(0, "width") {
            case .string(let s)?: width = s
            case let w?:
                try Sizes.require(w.integer ?? 4, a.maxBytes)
                width = String(repeating: " ", count: max(0, w.integer ?? 4))
            case nil: width = "    "
            }
            let first = a.take(1, "first")?.isTruthy ?? false
            let blank = a.take(2, "blank")?.isTruthy ?? false
            let text = value.pyStr
            // Every line may get the indent.
            try Sizes.require(width.utf8.count, times: text.utf8.count + 1, a.maxBytes)
            return .string(Self.indent(text, width: width, first: first, blank: blank))
        case .items:
            if case .undefined = value { return .object(JinjaIterator([])) }
            guard case .dict(let dict) = value else { throw JinjaError(.type, "Can only get item pairs from a mapping.") }
            return .object(JinjaIterator(dict.items.map { .tuple([$0.key, $0.value]) }))
        case .join:
            let separator = a.take(0, "d")?.pyStr ?? ""
            let attribute = a.take(1, "attribute")
            var parts: [String] = []
            for item in try value.iterated() {
                parts.append(try (try Self.lookup(item, attribute)).printed(limit: a.maxBytes))
            }
            return .string(try PythonStrings.join(parts, separator: separator, maxBytes: a.maxBytes))
        case .list: return .list(try value.iterated())
        case .lower: return .string(value.pyStr.lowercased())
        case .upper: return .string(value.pyStr.uppercased())
        case .title: return .string(PythonStrings.title(value.pyStr))
        case .map:
            let items = try value.iterated()
            if let attribute = a.takeKeyword("attribute") {
                let fallback = a.takeKeyword("default")
                var out: [JinjaValue] = []
                for item in items { out.append(try Self.lookup(item, attribute, fallback)) }
                return .object(JinjaIterator(out))
            }
            guard case .string(let mapped)? = a.positional.first else { throw JinjaError(.type, "map() needs a filter name or attribute=") }
            guard let each = Filter(rawValue: mapped) else { throw JinjaError(.assertion, "No filter named \(PythonText.repr(mapped)).") }
            var rest = JinjaArguments(Array(a.positional.dropFirst()), keyword: a.keyword, function: mapped, maxBytes: a.maxBytes)
            a.positional = []
            a.keyword = []
            var out: [JinjaValue] = []
            for item in items {
                var arguments = rest
                out.append(try Self.apply(each, item, &arguments, interpreter))
            }
            rest.positional = []
            return .object(JinjaIterator(out))
        case .max, .min:
            let caseSensitive = a.take(0, "case_sensitive")?.isTruthy ?? false
            let attribute = a.take(1, "attribute")
            let items = try value.iterated()
            guard !items.isEmpty else { return .undefined(Undefined(.hint("No aggregated item, sequence was empty."))) }
            // Python's min() and max(): the first of equal extremes.
            var best = items[0]
            var bestKey = try Self.key(items[0], attribute, caseSensitive)
            for item in items.dropFirst() {
                let key = try Self.key(item, attribute, caseSensitive)
                let order = try JinjaValue.compare(key, bestKey, filter == .min ? "<" : ">")
                if filter == .min ? order < 0 : order > 0 {
                    best = item
                    bestKey = key
                }
            }
            return best
        case .pprint:
            var out = ""
            guard value.write(into: &out, repr: true, limit: a.maxBytes) else { throw JinjaError(.limit, "a value printed to more than \(a.maxBytes) bytes") }
            return .string(out)
        case .reject, .select, .rejectattr, .selectattr:
            let byAttribute = filter == .selectattr || filter == .rejectattr
            let keep = filter == .select || filter == .selectattr
            var parameters = a.positional
            a.positional = []
            var attribute: JinjaValue?
            if byAttribute {
                guard !parameters.isEmpty else { throw JinjaError(.type, "\(name)() needs an attribute") }
                attribute = parameters.removeFirst()
            }
            var test: Test?
            if !parameters.isEmpty {
                guard case .string(let t) = parameters.removeFirst() else { throw JinjaError(.type, "the test of \(name)() is named by a string") }
                guard let named = Test(rawValue: t) else { throw JinjaError(.assertion, "No test named \(PythonText.repr(t)).") }
                test = named
            }
            var out: [JinjaValue] = []
            for item in try value.iterated() {
                let subject = try Self.lookup(item, attribute)
                let passes: Bool
                if let test {
                    var arguments = JinjaArguments(parameters, keyword: a.keyword, function: test.rawValue, maxBytes: a.maxBytes)
                    passes = try Tests.apply(test, subject, &arguments, interpreter)
                } else {
                    passes = subject.isTruthy
                }
                if passes == keep { out.append(item) }
            }
            a.keyword = []
            return .object(JinjaIterator(out))
        case .replace:
            guard let old = a.take(0, "old"), let new = a.take(1, "new") else { throw JinjaError(.type, "replace() needs old and new") }
            let count = a.take(2, "count")?.integer ?? -1
            return .string(try PythonStrings.replace(value.pyStr, old.pyStr, new.pyStr, count: count, maxBytes: a.maxBytes))
        case .reverse:
            switch value {
            case .string(let s): return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            case .list(let items), .tuple(let items): return .object(JinjaIterator(items.reversed(), typeName: "list_reverseiterator"))
            case .dict(let dict): return .object(JinjaIterator(dict.keys.reversed(), typeName: "dict_reversekeyiterator"))
            default: return .list(try value.iterated().reversed())
            }
        case .round:
            let precision = a.take(0, "precision")?.integer ?? 0
            let method = a.take(1, "method")?.pyStr ?? "common"
            guard let number = value.number else { throw JinjaError(.type, "type \(value.typeName) doesn't define __round__ method") }
            let scale = Foundation.pow(10.0, Double(precision))
            let rule: FloatingPointRoundingRule =
                method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .float((number * scale).rounded(rule) / scale)
        case .safe, .string: return .string(try value.printed(limit: a.maxBytes))
        case .sort:
            let reverse = a.take(0, "reverse")?.isTruthy ?? false
            let caseSensitive = a.take(1, "case_sensitive")?.isTruthy ?? false
            // Several attributes, comma-separated, sort by each in turn.
            let attributes: [JinjaValue?] =
                if case .string(let names)? = a.take(2, "attribute") { names.split(separator: ",").map { .string(String($0)) } } else { [nil] }
            return .list(
                try Self.sorted(try value.iterated(), reverse: reverse) { item throws(JinjaError) in
                    if attributes.count == 1 { return try Self.key(item, attributes[0], caseSensitive) }
                    var keys: [JinjaValue] = []
                    for attribute in attributes { keys.append(try Self.key(item, attribute, caseSensitive)) }
                    return .list(keys)
                })
        case .striptags:
            let text = value.pyStr.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
            return .string(try PythonStrings.split(text, nil, -1, fromRight: false).joined(separator: " "))
        case .sum:
            let attribute = a.take(0, "attribute")
            var total = a.take(1, "start") ?? .int(0)
            for item in try value.iterated() {
                total = try JinjaValue.add(total, try Self.lookup(item, attribute))
            }
            return total
        case .tojson:
            var indent: String?
            switch a.take(1, "indent") {
            case .int(let n)?:
                try Sizes.require(n, a.maxBytes)
                indent = String(repeating: " ", count: max(0, n))
            case .string(let s)?: indent = s
            default: indent = nil
            }
            let ensureASCII = a.take(0, "ensure_ascii")?.isTruthy ?? false
            var separators: (String, String)?
            if case .tuple(let pair)? = a.take(2, "separators") ?? nil, pair.count == 2 { separators = (pair[0].pyStr, pair[1].pyStr) }
            if case .list(let pair)? = a.take(2, "separators") ?? nil, pair.count == 2 { separators = (pair[0].pyStr, pair[1].pyStr) }
            let sortKeys = a.take(3, "sort_keys")?.isTruthy ?? false
            return .string(
                try JSONDump(ensureASCII: ensureASCII, indent: indent, separators: separators, sortKeys: sortKeys, maxBytes: a.maxBytes).dump(value))
        case .trim:
            let chars = a.take(0, "chars").flatMap { $0.isNone ? nil : $0.pyStr }
            return .string(PythonText.strip(value.pyStr, chars))
        case .truncate:
            let length = a.take(0, "length")?.integer ?? 255
            let killwords = a.take(1, "killwords")?.isTruthy ?? false
            let end = a.take(2, "end")?.pyStr ?? "..."
            let leeway = a.take(3, "leeway")?.integer ?? 5
            let scalars = Array(value.pyStr.unicodeScalars)
            if scalars.count <= length + leeway { return .string(value.pyStr) }
            var cut = Array(scalars.prefix(max(0, length - end.unicodeScalars.count)))
            if !killwords, let space = cut.lastIndex(of: " ") { cut = Array(cut[..<space]) }
            return .string(String(String.UnicodeScalarView(cut)) + end)
        case .unique:
            let caseSensitive = a.take(0, "case_sensitive")?.isTruthy ?? false
            let attribute = a.take(1, "attribute")
            var seen: [JinjaValue] = []
            var out: [JinjaValue] = []
            for item in try value.iterated() {
                let compared = try Self.key(item, attribute, caseSensitive)
                if !seen.contains(where: { JinjaValue.pyEquals($0, compared) }) {
                    seen.append(compared)
                    out.append(item)
                }
            }
            return .object(JinjaIterator(out))
        case .wordcount: return .int(try PythonStrings.split(value.pyStr, nil, -1, fromRight: false).count)
        }
    }

    /// Jinja's attribute getter for filters: `a.b.0` follows items first, numbers as indices.
    static func lookup(_ item: JinjaValue, _ attribute: JinjaValue, _ fallback: JinjaValue?) throws(JinjaError) -> JinjaValue {
        var value = item
        let parts: [JinjaValue]
        if case .string(let path) = attribute {
            parts = path.split(separator: ".", omittingEmptySubsequences: false).map { part in Int(part).map { .int($0) } ?? .string(String(part)) }
        } else {
            parts = [attribute]
        }
        for part in parts { value = try Access.item(value, part) }
        if value.isUndefined, let fallback { return fallback }
        return value
    }

    /// The item itself, or what `attribute` names in it.
    static func lookup(_ item: JinjaValue, _ attribute: JinjaValue?) throws(JinjaError) -> JinjaValue {
        guard let attribute else { return item }
        return try Self.lookup(item, attribute, nil)
    }

    /// The sort or comparison key of `item`: the attribute (or the item), lowered unless
    /// `caseSensitive`.
    static func key(_ item: JinjaValue, _ attribute: JinjaValue?, _ caseSensitive: Bool) throws(JinjaError) -> JinjaValue {
        let key = try Self.lookup(item, attribute)
        return caseSensitive ? key : Self.folded(key)
    }

    /// Strings lowered for case-insensitive comparison, other values as they are.
    static func folded(_ value: JinjaValue) -> JinjaValue {
        if case .string(let s) = value { return .string(s.lowercased()) }
        return value
    }

    /// A stable sort by a key, with Python's ordering (a TypeError for incomparable keys).
    static func sorted(_ items: [JinjaValue], reverse: Bool, key: (JinjaValue) throws(JinjaError) -> JinjaValue) throws(JinjaError) -> [JinjaValue] {
        var keyed: [(key: JinjaValue, item: JinjaValue, order: Int)] = []
        for (i, item) in items.enumerated() { keyed.append((try key(item), item, i)) }
        var failure: JinjaError?
        keyed.sort { x, y in
            do {
                let order = try JinjaValue.compare(x.key, y.key, "<")
                if order == 0 { return x.order < y.order }
                return reverse ? order > 0 : order < 0
            } catch {
                failure = error as? JinjaError
                return false
            }
        }
        if let failure { throw failure }
        return keyed.map(\.item)
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Jinja's `indent`: every line after the first (and the first with `first`) gets `width`;
    /// blank lines only with `blank`.
    static func indent(_ text: String, width: String, first: Bool, blank: Bool) -> String {
        var lines = text.components(separatedBy: "\n")
        var trailing = ""
        if text.hasSuffix("\n") {
            lines.removeLast()
            trailing = "\n"
        }
        for i in lines.indices {
            guard i > 0 || first else { continue }
            if blank || !PythonText.strip(lines[i], nil).isEmpty { lines[i] = width + lines[i] }
        }
        return lines.joined(separator: "\n") + trailing
    }
}
