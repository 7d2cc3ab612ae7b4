import IngotJSON

/// Python's `json.dumps`, as transformers' `tojson` filter calls it: `ensure_ascii=False` by
/// default (non-ASCII kept), no HTML escaping, `", "` and `": "` between items unless an indent
/// is given, dict keys in insertion order unless `sort_keys`.
struct JSONDump {
    var ensureASCII = false
    /// Spaces (or the string) per level; nil for one line.
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false
    /// A LimitError instead of more bytes than this.
    var maxBytes = Int.max

    init(ensureASCII: Bool = false, indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false, maxBytes: Int = .max) {
        self.maxBytes = maxBytes
        self.ensureASCII = ensureASCII
        self.indent = indent
        self.itemSeparator = separators?.0 ?? (indent == nil ? ", " : ",")
        self.keySeparator = separators?.1 ?? ": "
        self.sortKeys = sortKeys
    }

    func dump(_ value: JinjaValue) throws(JinjaError) -> String {
        var out = ""
        try self.write(value, level: 0, into: &out)
        return out
    }

    private func write(_ value: JinjaValue, level: Int, into out: inout String) throws(JinjaError) {
        guard out.utf8.count <= self.maxBytes else { throw JinjaError(.limit, "a value printed to more than \(self.maxBytes) bytes") }
        guard level < 1000 else { throw JinjaError(.limit, "a value nests more than 1000 levels deep") }
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            out += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : PythonText.float(d)
        case .string(let s): self.quote(s, into: &out)
        case .list(let items), .tuple(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += self.itemSeparator }
                self.newline(level + 1, into: &out)
                try self.write(item, level: level + 1, into: &out)
            }
            self.newline(level, into: &out)
            out += "]"
        case .dict(let dict):
            guard dict.count > 0 else {
                out += "{}"
                return
            }
            var pairs: [(key: String, value: JinjaValue)] = []
            for (key, value) in dict.items {
                let name: String
                switch key {
                case .string(let s): name = s
                case .int(let i): name = String(i)
                case .float(let d): name = PythonText.float(d)
                case .bool(let b): name = b ? "true" : "false"
                case .none: name = "null"
                default: throw JinjaError(.type, "keys must be str, int, float, bool or None, not \(key.typeName)")
                }
                pairs.append((name, value))
            }
            if self.sortKeys { pairs.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += self.itemSeparator }
                self.newline(level + 1, into: &out)
                self.quote(pair.key, into: &out)
                out += self.keySeparator
                try self.write(pair.value, level: level + 1, into: &out)
            }
            self.newline(level, into: &out)
            out += "}"
        case .undefined: throw JinjaError(.type, "Object of type Undefined is not JSON serializable")
        case .object(let object):
            guard let elements = object.tupleElements else { throw JinjaError(.type, "Object of type \(object.typeName) is not JSON serializable") }
            try self.write(.tuple(elements), level: level, into: &out)
        case .function: throw JinjaError(.type, "Object of type function is not JSON serializable")
        }
    }

    private func newline(_ level: Int, into out: inout String) {
        guard let indent = self.indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    private func quote(_ s: String, into out: inout String) {
        JSONValue.appendQuoted(s, to: &out, escapingNonASCII: self.ensureASCII)
    }
}
