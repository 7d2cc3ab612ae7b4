import Foundation

/// Python's text rules where templates depend on them: what counts as whitespace, how values
/// print (`str` and `repr`), how floats are spelt, and `json.dumps` as transformers' `tojson`.
package enum PythonText {
    /// `str.isspace()` for one scalar: Unicode White_Space plus the separators Python adds
    /// (U+001C to U+001F).
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// `str.strip()`: without `chars`, Python whitespace; with them, any of those scalars.
    static func strip(_ text: String, _ chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let scalars = text.unicodeScalars
        let set = chars.map { Set($0.unicodeScalars) }
        func strips(_ s: Unicode.Scalar) -> Bool { set.map { $0.contains(s) } ?? Self.isSpace(s) }
        var start = scalars.startIndex
        var end = scalars.endIndex
        if leading { while start < end && strips(scalars[start]) { start = scalars.index(after: start) } }
        if trailing {
            while start < end {
                let last = scalars.index(before: end)
                guard strips(scalars[last]) else { break }
                end = last
            }
        }
        if start == scalars.startIndex && end == scalars.endIndex { return text }
        return String(scalars[start..<end])
    }

    /// Python's string equality: the same code points (Swift's `==` also equates canonically
    /// equivalent spellings, which Python does not).
    @inline(__always)
    static func same(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        guard !x.isEmpty else { return true }
        let equal = x.withContiguousStorageIfAvailable { p in
            y.withContiguousStorageIfAvailable { q in memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0 }
        }
        return (equal ?? nil) ?? x.elementsEqual(y)
    }

    /// Whether `text` begins with `prefix`, byte for byte.
    package static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        let x = text.utf8
        let y = prefix.utf8
        guard x.count >= y.count else { return false }
        guard !y.isEmpty else { return true }
        let equal = x.withContiguousStorageIfAvailable { p in
            y.withContiguousStorageIfAvailable { q in memcmp(p.baseAddress!, q.baseAddress!, q.count) == 0 }
        }
        return (equal ?? nil) ?? x.starts(with: y)
    }

    /// Python's `int(text, base)`: surrounding whitespace, a sign, `_` between digits, and the
    /// base's prefix (`0x` for 16, any prefix for base 0); nil where Python raises ValueError.
    static func parseInt(_ text: String, base: Int) -> Int? {
        var s = Substring(Self.strip(text, nil))
        var negative = false
        if let sign = s.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            s = s.dropFirst()
        }
        var radix = base
        let lower = s.lowercased()
        for (prefix, prefixBase) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) && (base == 0 || base == prefixBase) {
            radix = prefixBase
            s = s.dropFirst(2)
            if s.first == "_" { s = s.dropFirst() }
        }
        if radix == 0 {
            // Base 0 without a prefix: decimal, and no leading zeros except for zero itself.
            radix = 10
            if s.count > 1, s.first == "0", s.contains(where: { $0 != "0" && $0 != "_" }) { return nil }
        }
        guard (2...36).contains(radix), !s.isEmpty, s.first != "_", s.last != "_", !s.contains("__") else { return nil }
        guard let magnitude = Int(s.replacingOccurrences(of: "_", with: ""), radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// Python's `float(text)`: decimal digits (with `_` between them), a point, an exponent, or
    /// `inf`, `infinity`, `nan` in any case; nil where Python raises ValueError.
    static func parseFloat(_ text: String) -> Double? {
        let s = Self.strip(text, nil)
        var body = Substring(s)
        if let sign = body.first, sign == "+" || sign == "-" { body = body.dropFirst() }
        switch body.lowercased() {
        case "inf", "infinity": return s.hasPrefix("-") ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        // Swift's parser also reads hexadecimal floats, which Python's float() refuses.
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || "._eE+-".contains($0)) }),
            !body.hasPrefix("_"), !body.hasSuffix("_"), !body.contains("__")
        else { return nil }
        return Double(s.replacingOccurrences(of: "_", with: ""))
    }

    /// `repr(float)` (and `str(float)`): the shortest digits that read back, fixed notation from
    /// 1e-4 to 1e16, exponent notation outside, always with a decimal point or exponent.
    static func float(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        // Swift's description is the shortest round-trip form and switches notation at the same
        // thresholds as Python; it spells exponents alike ("1e-05", "1e+16").
        var text = value.description
        if !text.contains(".") && !text.contains("e") && !text.contains("n") { text += ".0" }
        return text
    }

    /// `repr(str)`: single quotes unless the text has one and no double quote; backslash escapes
    /// for the quote, backslash, `\n`, `\r`, `\t` and unprintable scalars.
    static func repr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\\(quote)"
                } else if Self.isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    out += "\\x" + Self.hex(scalar.value, 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + Self.hex(scalar.value, 4)
                } else {
                    out += "\\U" + Self.hex(scalar.value, 8)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// `str.isprintable()` for one scalar: not a control, format, surrogate, private-use,
    /// unassigned or separator character (the space excepted).
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    static func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
