/// The methods templates call on values (`content.strip()`, `message.get('tool_calls')`,
/// `text.split('\n')`), with Python's meaning. Methods that would mutate a list or a dict are
/// refused as Jinja's ImmutableSandboxedEnvironment refuses them.
enum Methods {
    private static let mutating: [String: Set<String>] = [
        "list": ["append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"],
        "dict": ["update", "clear", "pop", "popitem", "setdefault"],
    ]

    /// `value.name` as a bound method, an unsafe-access undefined, or nil when there is no such method.
    static func bound(_ value: JinjaValue, _ name: String) throws(JinjaError) -> JinjaValue? {
        if name.hasPrefix("__") {
            return .undefined(Undefined(.unsafe("access to attribute \(PythonText.repr(name)) of '\(value.typeName)' object is unsafe.")))
        }
        if Self.mutating[value.typeName]?.contains(name) == true {
            return .undefined(Undefined(.unsafe("access to attribute \(PythonText.repr(name)) of '\(value.typeName)' object is unsafe.")))
        }
        let body: JinjaFunction.Body?
        switch value {
        case .string(let s): body = Self.stringMethod(s, name)
        case .dict(let d): body = Self.dictMethod(d, name)
        case .list(let items), .tuple(let items): body = Self.sequenceMethod(items, value, name)
        default: body = nil
        }
        return body.map { .function(JinjaFunction(name, $0)) }
    }

    // MARK: str

    private static func stringMethod(_ s: String, _ name: String) -> JinjaFunction.Body? {
        func text(_ a: inout JinjaArguments, _ i: Int, _ n: String) throws(JinjaError) -> String? {
            guard let v = a.take(i, n), !v.isNone else { return nil }
            guard case .string(let t) = v else { throw JinjaError(.type, "\(a.function)() argument must be str or None, not \(v.typeName)") }
            return t
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            return { a throws(JinjaError) in
                let chars = try text(&a, 0, "chars")
                try a.check(maxPositional: 1)
                return .string(PythonText.strip(s, chars, leading: name != "rstrip", trailing: name != "lstrip"))
            }
        case "split", "rsplit":
            return { a throws(JinjaError) in
                let separator = try text(&a, 0, "sep")
                let limit = a.take(1, "maxsplit")?.integer ?? -1
                try a.check(maxPositional: 2)
                return .list(try PythonStrings.split(s, separator, limit, fromRight: name == "rsplit", maxBytes: a.maxBytes).map { .string($0) })
            }
        case "splitlines":
            return { a throws(JinjaError) in
                let keep = a.take(0, "keepends")?.isTruthy ?? false
                return .list(PythonStrings.splitLines(s, keepEnds: keep).map { .string($0) })
            }
        case "startswith", "endswith":
            return { a throws(JinjaError) in
                guard let prefix = a.take(0, name == "startswith" ? "prefix" : "suffix") else {
                    throw JinjaError(.type, "\(name)() takes at least 1 argument (0 given)")
                }
                let candidates: [JinjaValue]
                if case .tuple(let items) = prefix { candidates = items } else { candidates = [prefix] }
                for candidate in candidates {
                    guard case .string(let t) = candidate else {
                        throw JinjaError(.type, "\(name) first arg must be str or a tuple of str, not \(candidate.typeName)")
                    }
                    if name == "startswith" ? PythonText.hasPrefix(s, t) : s.utf8.reversed().starts(with: t.utf8.reversed()) { return .bool(true) }
                }
                return .bool(false)
            }
        case "lower": return { _ throws(JinjaError) in .string(s.lowercased()) }
        case "upper": return { _ throws(JinjaError) in .string(s.uppercased()) }
        case "casefold": return { _ throws(JinjaError) in .string(s.lowercased()) }
        case "title": return { _ throws(JinjaError) in .string(PythonStrings.title(s)) }
        case "capitalize": return { _ throws(JinjaError) in .string(PythonStrings.capitalize(s)) }
        case "swapcase":
            return { _ throws(JinjaError) in
                .string(s.unicodeScalars.map { c in c.properties.isUppercase ? String(c).lowercased() : c.properties.isLowercase ? String(c).uppercased() : String(c) }.joined())
            }
        case "replace":
            return { a throws(JinjaError) in
                guard let old = try text(&a, 0, "old"), let new = try text(&a, 1, "new") else { throw JinjaError(.type, "replace() takes at least 2 arguments") }
                let count = a.take(2, "count")?.integer ?? -1
                return .string(try PythonStrings.replace(s, old, new, count: count, maxBytes: a.maxBytes))
            }
        case "find", "rfind", "index", "rindex", "count":
            return { a throws(JinjaError) in
                guard let needle = try text(&a, 0, "sub") else { throw JinjaError(.type, "\(name)() takes at least 1 argument (0 given)") }
                let scalars = Array(s.unicodeScalars)
                let target = Array(needle.unicodeScalars)
                var hits: [Int] = []
                if target.isEmpty {
                    hits = Array(0...scalars.count)
                } else if scalars.count >= target.count {
                    var i = 0
                    while i + target.count <= scalars.count {
                        if scalars[i..<(i + target.count)].elementsEqual(target) {
                            hits.append(i)
                            if name == "count" { i += target.count; continue }
                        }
                        i += 1
                    }
                }
                switch name {
                case "count": return .int(hits.count)
                case "find": return .int(hits.first ?? -1)
                case "rfind": return .int(hits.last ?? -1)
                default:
                    guard let hit = name == "index" ? hits.first : hits.last else { throw JinjaError(.value, "substring not found") }
                    return .int(hit)
                }
            }
        case "join":
            return { a throws(JinjaError) in
                guard let items = a.take(0, "iterable") else { throw JinjaError(.type, "join() takes exactly one argument (0 given)") }
                var parts: [String] = []
                for (i, item) in try items.iterated().enumerated() {
                    guard case .string(let t) = item else { throw JinjaError(.type, "sequence item \(i): expected str instance, \(item.typeName) found") }
                    parts.append(t)
                }
                return .string(try PythonStrings.join(parts, separator: s, maxBytes: a.maxBytes))
            }
        case "removeprefix", "removesuffix":
            return { a throws(JinjaError) in
                guard let affix = try text(&a, 0, name == "removeprefix" ? "prefix" : "suffix") else { throw JinjaError(.type, "\(name)() takes exactly one argument") }
                if name == "removeprefix", s.utf8.starts(with: affix.utf8) { return .string(String(s.utf8.dropFirst(affix.utf8.count))!) }
                if name == "removesuffix", !affix.isEmpty, s.utf8.reversed().starts(with: affix.utf8.reversed()) {
                    return .string(String(s.utf8.dropLast(affix.utf8.count))!)
                }
                return .string(s)
            }
        case "isdigit", "isdecimal", "isnumeric":
            return { _ throws(JinjaError) in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil }) }
        case "isalpha": return { _ throws(JinjaError) in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }) }
        case "isalnum":
            return { _ throws(JinjaError) in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }) }
        case "isspace": return { _ throws(JinjaError) in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(PythonText.isSpace)) }
        case "islower":
            return { _ throws(JinjaError) in
                .bool(s.unicodeScalars.contains { $0.properties.isLowercase } && !s.unicodeScalars.contains { $0.properties.isUppercase })
            }
        case "isupper":
            return { _ throws(JinjaError) in
                .bool(s.unicodeScalars.contains { $0.properties.isUppercase } && !s.unicodeScalars.contains { $0.properties.isLowercase })
            }
        case "center", "ljust", "rjust":
            return { a throws(JinjaError) in
                guard let width = a.take(0, "width")?.integer else { throw JinjaError(.type, "\(name)() takes at least 1 argument") }
                let fill = try text(&a, 1, "fillchar") ?? " "
                guard fill.unicodeScalars.count == 1 else { throw JinjaError(.type, "The fill character must be exactly one character long") }
                return .string(try PythonStrings.pad(s, width: width, fill: fill, how: name, maxBytes: a.maxBytes))
            }
        case "zfill":
            return { a throws(JinjaError) in
                let width = a.take(0, "width")?.integer ?? 0
                let count = s.unicodeScalars.count
                guard width > count else { return .string(s) }
                try Sizes.require(width, a.maxBytes)
                let sign = s.hasPrefix("-") || s.hasPrefix("+")
                let zeros = String(repeating: "0", count: width - count)
                return .string(sign ? String(s.prefix(1)) + zeros + s.dropFirst() : zeros + s)
            }
        case "partition", "rpartition":
            return { a throws(JinjaError) in
                guard let separator = try text(&a, 0, "sep"), !separator.isEmpty else { throw JinjaError(.value, "empty separator") }
                let parts = try PythonStrings.split(s, separator, 1, fromRight: name == "rpartition")
                if parts.count == 2 { return .tuple([.string(parts[0]), .string(separator), .string(parts[1])]) }
                return name == "partition" ? .tuple([.string(s), .string(""), .string("")]) : .tuple([.string(""), .string(""), .string(s)])
            }
        case "format":
            return { a throws(JinjaError) in .string(try PythonStrings.format(s, a.positional, a.keyword)) }
        default:
            return nil
        }
    }

    // MARK: dict

    private static func dictMethod(_ d: JinjaDict, _ name: String) -> JinjaFunction.Body? {
        switch name {
        case "get":
            return { a throws(JinjaError) in
                guard let key = a.take(0, "key") else { throw JinjaError(.type, "get expected at least 1 argument, got 0") }
                return d[key] ?? a.take(1, "default") ?? .none
            }
        case "items": return { _ throws(JinjaError) in .list(d.items.map { .tuple([$0.key, $0.value]) }) }
        case "keys": return { _ throws(JinjaError) in .list(d.keys) }
        case "values": return { _ throws(JinjaError) in .list(d.values) }
        case "copy": return { _ throws(JinjaError) in .dict(d) }
        default: return nil
        }
    }

    // MARK: list and tuple

    private static func sequenceMethod(_ items: [JinjaValue], _ value: JinjaValue, _ name: String) -> JinjaFunction.Body? {
        switch name {
        case "count":
            return { a throws(JinjaError) in
                guard let x = a.take(0, "value") else { throw JinjaError(.type, "count() takes exactly one argument (0 given)") }
                return .int(items.filter { JinjaValue.pyEquals($0, x) }.count)
            }
        case "index":
            return { a throws(JinjaError) in
                guard let x = a.take(0, "value") else { throw JinjaError(.type, "index expected at least 1 argument, got 0") }
                guard let i = items.firstIndex(where: { JinjaValue.pyEquals($0, x) }) else {
                    throw JinjaError(.value, "\(x.pyRepr) is not in \(value.typeName)")
                }
                return .int(i)
            }
        case "copy" where value.typeName == "list": return { _ throws(JinjaError) in value }
        default: return nil
        }
    }
}

/// Python's string operations that have no one-call equivalent in Swift.
enum PythonStrings {
    /// `str.split` / `str.rsplit`; a LimitError rather than more than `maxBytes / 8` parts.
    static func split(_ s: String, _ separator: String?, _ limit: Int, fromRight: Bool, maxBytes: Int = 64 << 20) throws(JinjaError) -> [String] {
        let maxParts = maxBytes / 8
        func checkParts(_ count: Int) throws(JinjaError) {
            guard count <= maxParts else { throw JinjaError(.limit, "a split would give more than \(maxParts) parts") }
        }
        let scalars = Array(s.unicodeScalars)
        func make(_ range: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
        guard let separator else {
            // Runs of whitespace separate; leading and trailing whitespace is no field.
            var fields: [Range<Int>] = []
            if !fromRight {
                var i = 0
                while i < scalars.count {
                    while i < scalars.count && PythonText.isSpace(scalars[i]) { i += 1 }
                    guard i < scalars.count else { break }
                    if limit >= 0 && fields.count == limit {
                        var end = scalars.count
                        while end > i && PythonText.isSpace(scalars[end - 1]) { end -= 1 }
                        fields.append(i..<end)
                        break
                    }
                    let start = i
                    while i < scalars.count && !PythonText.isSpace(scalars[i]) { i += 1 }
                    fields.append(start..<i)
                    try checkParts(fields.count)
                }
                return fields.map(make)
            }
            var i = scalars.count
            while i > 0 {
                while i > 0 && PythonText.isSpace(scalars[i - 1]) { i -= 1 }
                guard i > 0 else { break }
                if limit >= 0 && fields.count == limit {
                    var start = 0
                    while start < i && PythonText.isSpace(scalars[start]) { start += 1 }
                    fields.append(start..<i)
                    break
                }
                let end = i
                while i > 0 && !PythonText.isSpace(scalars[i - 1]) { i -= 1 }
                fields.append(i..<end)
                try checkParts(fields.count)
            }
            return fields.reversed().map(make)
        }
        let target = Array(separator.unicodeScalars)
        guard !target.isEmpty else { throw JinjaError(.value, "empty separator") }
        var cuts: [Range<Int>] = []
        if !fromRight {
            var i = 0
            while i + target.count <= scalars.count, limit < 0 || cuts.count < limit {
                if scalars[i..<(i + target.count)].elementsEqual(target) {
                    cuts.append(i..<(i + target.count))
                    try checkParts(cuts.count + 1)
                    i += target.count
                } else {
                    i += 1
                }
            }
        } else {
            var i = scalars.count - target.count
            while i >= 0, limit < 0 || cuts.count < limit {
                if scalars[i..<(i + target.count)].elementsEqual(target) {
                    cuts.append(i..<(i + target.count))
                    try checkParts(cuts.count + 1)
                    i -= target.count
                } else {
                    i -= 1
                }
            }
        }
        if fromRight { cuts.reverse() }
        var fields: [String] = []
        var start = 0
        for cut in cuts {
            fields.append(make(start..<cut.lowerBound))
            start = cut.upperBound
        }
        fields.append(make(start..<scalars.count))
        return fields
    }

    static func splitLines(_ s: String, keepEnds: Bool) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var scalars = Array(s.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
            if breaks.contains(c.value) {
                if keepEnds { current.append(c) }
                if c == "\r" && scalars.first == "\n" {
                    scalars.removeFirst()
                    if keepEnds { current.append("\n") }
                }
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int, maxBytes: Int) throws(JinjaError) -> String {
        if old.isEmpty {
            let insertions = count < 0 ? s.unicodeScalars.count + 1 : min(count, s.unicodeScalars.count + 1)
            try Sizes.require(new.utf8.count, times: insertions, maxBytes - s.utf8.count)
            var out = ""
            var n = 0
            for c in s.unicodeScalars {
                if count < 0 || n < count {
                    out += new
                    n += 1
                }
                out.unicodeScalars.append(c)
            }
            if count < 0 || n < count { out += new }
            return out
        }
        // On UTF-8 bytes (a match of valid UTF-8 is a match of scalars), without building parts.
        let haystack = Array(s.utf8)
        let needle = Array(old.utf8)
        let replacement = Array(new.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var i = 0
        var replaced = 0
        while i < haystack.count {
            if count < 0 || replaced < count, haystack[i] == needle[0], i + needle.count <= haystack.count,
                haystack[i..<(i + needle.count)].elementsEqual(needle)
            {
                out += replacement
                i += needle.count
                replaced += 1
                try Sizes.require(out.count, maxBytes)
            } else {
                out.append(haystack[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `separator.join(parts)`, sized first.
    static func join(_ parts: [String], separator: String, maxBytes: Int) throws(JinjaError) -> String {
        var total = max(0, parts.count - 1) * separator.utf8.count
        for part in parts { total += part.utf8.count }
        try Sizes.require(total, maxBytes)
        return parts.joined(separator: separator)
    }

    /// Python's `str.title()`: a cased character after an uncased one is upper case, others lower.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s.unicodeScalars {
            let cased = c.properties.isCased
            if cased {
                out += previousCased ? String(c).lowercased() : String(c).uppercased()
            } else {
                out.unicodeScalars.append(c)
            }
            previousCased = cased
        }
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + String(s.unicodeScalars.dropFirst()).lowercased()
    }

    static func pad(_ s: String, width: Int, fill: String, how: String, maxBytes: Int) throws(JinjaError) -> String {
        let count = s.unicodeScalars.count
        guard width > count else { return s }
        try Sizes.require(width, times: fill.utf8.count, maxBytes)
        let total = width - count
        switch how {
        case "ljust": return s + String(repeating: fill, count: total)
        case "rjust": return String(repeating: fill, count: total) + s
        default:
            // Python centers with the extra character on the left when the count is odd.
            let left = total / 2 + (total & width & 1)
            return String(repeating: fill, count: left) + s + String(repeating: fill, count: total - left)
        }
    }

    /// `str.format` for plain fields: `{}`, `{0}`, `{name}`, `{{` and `}}`; format specs and
    /// conversions beyond `!s` and `!r` are refused.
    static func format(_ s: String, _ positional: [JinjaValue], _ keyword: [(name: String, value: JinjaValue)]) throws(JinjaError) -> String {
        var out = ""
        var auto = 0
        var scalars = Array(s.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if c == "{" {
                if scalars.first == "{" {
                    scalars.removeFirst()
                    out += "{"
                    continue
                }
                var field = ""
                while let d = scalars.popFirst(), d != "}" { field.unicodeScalars.append(d) }
                var conversion: String?
                if let bang = field.firstIndex(of: "!") {
                    conversion = String(field[field.index(after: bang)...])
                    field = String(field[..<bang])
                }
                guard !field.contains(":") else { throw JinjaError(.value, "format specifications are not supported in templates") }
                let value: JinjaValue
                if field.isEmpty {
                    guard auto < positional.count else { throw JinjaError(.lookup, "Replacement index \(auto) out of range for positional args tuple") }
                    value = positional[auto]
                    auto += 1
                } else if let i = Int(field) {
                    guard i < positional.count else { throw JinjaError(.lookup, "Replacement index \(i) out of range for positional args tuple") }
                    value = positional[i]
                } else {
                    guard let found = keyword.first(where: { $0.name == field })?.value else { throw JinjaError(.lookup, PythonText.repr(field)) }
                    value = found
                }
                out += conversion == "r" ? value.pyRepr : value.pyStr
            } else if c == "}" {
                guard scalars.first == "}" else { throw JinjaError(.value, "Single '}' encountered in format string") }
                scalars.removeFirst()
                out += "}"
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
