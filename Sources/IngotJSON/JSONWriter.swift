extension JSONValue {
    /// The value as JSON text, as Python's `json.dumps(value, ensure_ascii=False)` writes it:
    /// `", "` and `": "` between items, non-ASCII kept, control characters escaped.
    public var jsonText: String {
        var out = ""
        self.write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .number(let d):
            if d.isNaN {
                out += "NaN"
            } else if d.isInfinite {
                out += d < 0 ? "-Infinity" : "Infinity"
            } else {
                // Shortest round-trip digits, with a point or an exponent as Python's repr has.
                let text = d.description
                out += text.contains(".") || text.contains("e") ? text : text + ".0"
            }
        case .string(let s): Self.appendQuoted(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += ", " }
                Self.appendQuoted(member.key, to: &out)
                out += ": "
                member.value.write(into: &out)
            }
            out += "}"
        }
    }

    /// Appends `s` as a JSON string, as Python's `json.dumps` writes one: control characters
    /// escaped, and with `escapingNonASCII` (`ensure_ascii=True`) everything past ASCII as
    /// `\uXXXX` (surrogate pairs beyond the BMP).
    public static func appendQuoted(_ s: String, to out: inout String, escapingNonASCII: Bool = false) {
        func escape(_ value: UInt32) {
            let hex = String(value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    escape(scalar.value)
                } else if escapingNonASCII && scalar.value > 0x7F {
                    if scalar.value >= 0x10000 {
                        let v = scalar.value - 0x10000
                        escape(0xD800 + (v >> 10))
                        escape(0xDC00 + (v & 0x3FF))
                    } else {
                        escape(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
