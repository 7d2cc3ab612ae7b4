import Foundation

/// The functions every template can call: Jinja2's (`range`, `namespace`, `dict`, `cycler`,
/// `joiner`) and transformers' (`raise_exception`, `strftime_now`).
enum Globals {
    /// Jinja's sandbox refuses longer ranges.
    static let maximumRange = 100_000

    static func make(now: @escaping @Sendable () -> Date) -> [String: JinjaValue] {
        [
            "range": .function(JinjaFunction("range", Self.range)),
            "namespace": .function(
                JinjaFunction("namespace") { a throws(JinjaError) in
                    let namespace = Namespace()
                    for value in a.positional {
                        guard case .dict(let dict) = value else { throw JinjaError(.type, "namespace() takes a mapping") }
                        for (key, item) in dict.items { namespace.attributes[key] = item }
                    }
                    for (name, value) in a.keyword {
                        guard !name.hasPrefix("_") else {
                            throw JinjaError(
                                .security,
                                "Chat templates cannot store underscore-prefixed attributes on a namespace, but got \(PythonText.repr(name)). Please rename the attribute.")
                        }
                        namespace.attributes[name] = value
                    }
                    return .object(namespace)
                }),
            "dict": .function(
                JinjaFunction("dict", attributes: ["fromkeys": .function(JinjaFunction("fromkeys", Self.fromKeys))]) { a throws(JinjaError) in
                    var dict = JinjaDict()
                    if let source = a.positional.first {
                        switch source {
                        case .dict(let d): dict = d
                        default:
                            for pair in try source.iterated() {
                                let kv = try pair.iterated()
                                guard kv.count == 2 else { throw JinjaError(.value, "dictionary update sequence element has length \(kv.count); 2 is required") }
                                dict[kv[0]] = kv[1]
                            }
                        }
                    }
                    for (name, value) in a.keyword { dict[name] = value }
                    return .dict(dict)
                }),
            "cycler": .function(JinjaFunction("cycler") { a throws(JinjaError) in .object(Cycler(a.positional)) }),
            "joiner": .function(
                JinjaFunction("joiner") { a throws(JinjaError) in
                    let separator = a.take(0, "sep")?.pyStr ?? ", "
                    let joiner = Joiner()
                    return .function(
                        JinjaFunction("joiner") { _ throws(JinjaError) in
                            defer { joiner.used = true }
                            return .string(joiner.used ? separator : "")
                        })
                }),
            "raise_exception": .function(
                JinjaFunction("raise_exception") { a throws(JinjaError) in
                    throw JinjaError(.template, a.take(0, "message")?.pyStr ?? "")
                }),
            "strftime_now": .function(
                JinjaFunction("strftime_now") { a throws(JinjaError) in
                    guard let format = a.take(0, "format")?.pyStr else { throw JinjaError(.type, "strftime_now() missing 1 required positional argument: 'format'") }
                    return .string(Self.formatDate(format, now()))
                }),
        ]
    }

    /// `dict.fromkeys(keys, value=None)`.
    private static func fromKeys(_ a: inout JinjaArguments) throws(JinjaError) -> JinjaValue {
        guard let keys = a.take(0, "iterable") else { throw JinjaError(.type, "fromkeys expected at least 1 argument, got 0") }
        let value = a.take(1, "value") ?? .none
        var dict = JinjaDict()
        for key in try keys.iterated() { dict[key] = value }
        return .dict(dict)
    }

    private static func range(_ a: inout JinjaArguments) throws(JinjaError) -> JinjaValue {
        let numbers = a.positional.compactMap(\.integer)
        guard numbers.count == a.positional.count, (1...3).contains(numbers.count) else {
            throw JinjaError(.type, "range() takes 1 to 3 integer arguments")
        }
        let start = numbers.count == 1 ? 0 : numbers[0]
        let stop = numbers.count == 1 ? numbers[0] : numbers[1]
        let step = numbers.count == 3 ? numbers[2] : 1
        guard step != 0 else { throw JinjaError(.value, "range() arg 3 must not be zero") }
        // In doubles first: the integer distance of a huge range overflows.
        let span = (Double(stop) - Double(start)) / Double(step)
        guard span <= Double(Self.maximumRange) else {
            throw JinjaError(.overflow, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(Self.maximumRange)).")
        }
        let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
        guard count <= Self.maximumRange else {
            throw JinjaError(.overflow, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(Self.maximumRange)).")
        }
        return .list((0..<count).map { .int(start + $0 * step) })
    }

    /// C's `strftime`, as Python's `datetime.strftime` calls it.
    static func formatDate(_ format: String, _ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 512)
        let count = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `cycler(a, b, ...)`: `next()` returns the items in turn, `current` the next one, `reset()`.
final class Cycler: JinjaObject {
    let items: [JinjaValue]
    var position = 0

    init(_ items: [JinjaValue]) {
        self.items = items
    }

    var typeName: String { "Cycler" }
    var typeDescription: String { "jinja2.utils.Cycler object" }

    func attribute(_ name: String) -> JinjaValue? {
        switch name {
        case "current": return self.items.isEmpty ? .none : self.items[self.position]
        case "next":
            return .function(
                JinjaFunction("next") { [unowned self] _ throws(JinjaError) in
                    guard !self.items.isEmpty else { return .none }
                    defer { self.position = (self.position + 1) % self.items.count }
                    return self.items[self.position]
                })
        case "reset":
            return .function(
                JinjaFunction("reset") { [unowned self] _ throws(JinjaError) in
                    self.position = 0
                    return .none
                })
        default: return nil
        }
    }
}

final class Joiner {
    var used = false
}
