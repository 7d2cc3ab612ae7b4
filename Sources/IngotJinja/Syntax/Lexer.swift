/// One token of a template: text between tags, tag delimiters, and the tokens of the
/// expressions inside tags.
struct Token: Equatable {
    enum Kind: Equatable {
        case data(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        /// An operator or punctuation: `+`, `==`, `(`, `|`, ...
        case op(String)
        case end
    }

    var kind: Kind
    var line: Int
}

/// Jinja2's lexer, with the settings transformers renders chat templates with:
/// `trim_blocks=True` (the newline after a block or comment tag goes), `lstrip_blocks=True`
/// (spaces and tabs before a block or comment tag on its own line go), `-` and `+` whitespace
/// control, and `keep_trailing_newline=False` (the template's one final newline goes).
struct Lexer {
    private let text: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var tokens: [Token] = []
    /// True at the start of the template and after a tag that ended its line (trim_blocks).
    private var lineStarting = true

    static func tokenize(_ source: String) throws(JinjaError) -> [Token] {
        var lexer = Lexer(source)
        try lexer.run()
        return lexer.tokens
    }

    private init(_ source: String) {
        // Newlines normalized to \n; the one trailing newline dropped.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.unicodeScalars.count)
        var iterator = source.unicodeScalars.makeIterator()
        var pending = iterator.next()
        while let scalar = pending {
            pending = iterator.next()
            if scalar == "\r" {
                if pending == "\n" { pending = iterator.next() }
                scalars.append("\n")
            } else {
                scalars.append(scalar)
            }
        }
        if scalars.last == "\n" { scalars.removeLast() }
        self.text = scalars
    }

    private func fail(_ message: String) -> JinjaError {
        JinjaError(.syntax, "\(message) (line \(self.line))")
    }

    private func starts(with literal: String, at index: Int) -> Bool {
        var i = index
        for scalar in literal.unicodeScalars {
            guard i < self.text.count, self.text[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    private func string(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: self.text[range])
        return String(view)
    }

    private mutating func emit(_ kind: Token.Kind) {
        self.tokens.append(Token(kind: kind, line: self.line))
    }

    private mutating func advance(to end: Int) {
        for i in self.position..<end where self.text[i] == "\n" { self.line += 1 }
        self.position = end
    }

    private enum Tag { case variable, block, comment, raw }

    // MARK: Text and tags

    private mutating func run() throws(JinjaError) {
        while self.position < self.text.count {
            // The next tag start: {{, {% or {#.
            var start = self.position
            var found: Tag?
            while start + 1 < self.text.count {
                if self.text[start] == "{" {
                    switch self.text[start + 1] {
                    case "{": found = .variable
                    case "%": found = self.isRaw(at: start) ? .raw : .block
                    case "#": found = .comment
                    default: break
                    }
                    if found != nil { break }
                }
                start += 1
            }
            guard let tag = found else {
                self.emitData(self.position..<self.text.count)
                self.advance(to: self.text.count)
                return
            }
            let sign: Unicode.Scalar? = start + 2 < self.text.count && (self.text[start + 2] == "-" || self.text[start + 2] == "+") ? self.text[start + 2] : nil
            var dataEnd = start
            if sign == "-" {
                while dataEnd > self.position && PythonText.isSpace(self.text[dataEnd - 1]) { dataEnd -= 1 }
            } else if sign != "+" && tag != .variable {
                // lstrip_blocks: only whitespace between the line's start and the tag.
                var lineStart = dataEnd
                while lineStart > self.position && self.text[lineStart - 1] != "\n" { lineStart -= 1 }
                if (lineStart > self.position || self.lineStarting)
                    && (lineStart..<dataEnd).allSatisfy({ PythonText.isSpace(self.text[$0]) && self.text[$0] != "\n" })
                {
                    dataEnd = lineStart
                }
            }
            self.emitData(self.position..<dataEnd)
            self.advance(to: start)
            let afterStart = start + 2 + (sign == nil ? 0 : 1)
            switch tag {
            case .comment: try self.comment(from: afterStart)
            case .raw: try self.raw(from: start)
            case .variable:
                self.emit(.variableBegin)
                self.position = afterStart
                try self.expression(until: .variable)
            case .block:
                self.emit(.blockBegin)
                self.position = afterStart
                try self.expression(until: .block)
            }
        }
    }

    private mutating func emitData(_ range: Range<Int>) {
        if !range.isEmpty { self.emit(.data(self.string(range))) }
    }

    /// After a tag's end: `-` swallows all whitespace, `+` nothing, and a plain end of a block
    /// or comment one newline (trim_blocks). Returns where text resumes.
    private mutating func closeTag(at end: Int, sign: Unicode.Scalar?, length: Int, trims: Bool) -> Int {
        var resume = end + length
        if sign == "-" {
            while resume < self.text.count && PythonText.isSpace(self.text[resume]) { resume += 1 }
        } else if sign == nil && trims && resume < self.text.count && self.text[resume] == "\n" {
            resume += 1
        }
        self.lineStarting = resume > 0 && self.text[resume - 1] == "\n"
        return resume
    }

    private mutating func comment(from start: Int) throws(JinjaError) {
        var i = start
        while i + 1 < self.text.count {
            if self.text[i] == "#" && self.text[i + 1] == "}" {
                let sign: Unicode.Scalar? = i > start && (self.text[i - 1] == "-" || self.text[i - 1] == "+") ? self.text[i - 1] : nil
                let resume = self.closeTag(at: i, sign: sign, length: 2, trims: true)
                self.advance(to: resume)
                return
            }
            i += 1
        }
        throw self.fail("Missing end of comment tag")
    }

    private func isRaw(at start: Int) -> Bool {
        var i = start + 2
        if i < self.text.count && (self.text[i] == "-" || self.text[i] == "+") { i += 1 }
        while i < self.text.count && PythonText.isSpace(self.text[i]) { i += 1 }
        guard self.starts(with: "raw", at: i) else { return false }
        i += 3
        while i < self.text.count && PythonText.isSpace(self.text[i]) { i += 1 }
        return self.starts(with: "%}", at: i) || self.starts(with: "-%}", at: i)
    }

    /// `{% raw %}...{% endraw %}`: the text between, verbatim.
    private mutating func raw(from start: Int) throws(JinjaError) {
        var i = start
        while !(self.starts(with: "%}", at: i)) { i += 1 }
        let minus = self.text[i - 1] == "-"
        var bodyStart = i + 2
        if minus { while bodyStart < self.text.count && PythonText.isSpace(self.text[bodyStart]) { bodyStart += 1 } }
        var j = bodyStart
        while j < self.text.count {
            if self.starts(with: "{%", at: j) {
                var k = j + 2
                let sign: Unicode.Scalar? = k < self.text.count && (self.text[k] == "-" || self.text[k] == "+") ? self.text[k] : nil
                if sign != nil { k += 1 }
                while k < self.text.count && PythonText.isSpace(self.text[k]) { k += 1 }
                if self.starts(with: "endraw", at: k) {
                    k += 6
                    while k < self.text.count && PythonText.isSpace(self.text[k]) { k += 1 }
                    guard k < self.text.count else { break }
                    let endSign: Unicode.Scalar? = self.text[k] == "-" || self.text[k] == "+" ? self.text[k] : nil
                    if endSign != nil { k += 1 }
                    guard self.starts(with: "%}", at: k) else { break }
                    var bodyEnd = j
                    if sign == "-" { while bodyEnd > bodyStart && PythonText.isSpace(self.text[bodyEnd - 1]) { bodyEnd -= 1 } }
                    self.advance(to: bodyStart)
                    self.emitData(bodyStart..<bodyEnd)
                    let resume = self.closeTag(at: k, sign: endSign, length: 2, trims: true)
                    self.advance(to: resume)
                    return
                }
            }
            j += 1
        }
        throw self.fail("Missing end of raw directive")
    }

    // MARK: Expressions inside tags

    private mutating func expression(until tag: Tag) throws(JinjaError) {
        var balance: [Unicode.Scalar] = []
        while true {
            guard self.position < self.text.count else {
                throw self.fail(tag == .block ? "Unexpected end of template, expected '%}'" : "Unexpected end of template, expected '}}'")
            }
            let c = self.text[self.position]
            if PythonText.isSpace(c) {
                self.advance(to: self.position + 1)
                continue
            }
            if balance.isEmpty, let end = self.tagEnd(tag) {
                self.emit(tag == .block ? .blockEnd : .variableEnd)
                self.advance(to: end)
                return
            }
            if let (kind, end) = self.number(at: self.position) {
                self.emit(kind)
                self.position = end
            } else if c == "_" || c.properties.isAlphabetic {
                var end = self.position + 1
                while end < self.text.count, self.text[end] == "_" || self.text[end].properties.isAlphabetic || self.text[end].properties.numericType != nil {
                    end += 1
                }
                self.emit(.name(self.string(self.position..<end)))
                self.position = end
            } else if c == "'" || c == "\"" {
                try self.stringLiteral(quote: c)
            } else {
                let op = try self.operatorToken()
                switch op {
                case "(": balance.append(")")
                case "[": balance.append("]")
                case "{": balance.append("}")
                case ")", "]", "}":
                    guard let expected = balance.popLast() else { throw self.fail("unexpected '\(op)'") }
                    guard String(expected) == op else { throw self.fail("unexpected '\(op)', expected '\(expected)'") }
                default: break
                }
                self.emit(.op(op))
            }
        }
    }

    /// Where text resumes when a tag's end is at the current position, else nil.
    private mutating func tagEnd(_ tag: Tag) -> Int? {
        let p = self.position
        let close = tag == .block ? "%}" : "}}"
        if self.starts(with: "-" + close, at: p) { return self.closeTag(at: p + 1, sign: "-", length: 2, trims: false) }
        if tag == .block && self.starts(with: "+" + close, at: p) { return self.closeTag(at: p + 1, sign: "+", length: 2, trims: false) }
        if self.starts(with: close, at: p) { return self.closeTag(at: p, sign: nil, length: 2, trims: tag == .block) }
        return nil
    }

    private static let operators = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"]

    private mutating func operatorToken() throws(JinjaError) -> String {
        for op in Self.operators where self.starts(with: op, at: self.position) {
            self.position += op.unicodeScalars.count
            return op
        }
        throw self.fail("unexpected char \(PythonText.repr(String(self.text[self.position]))) at \(self.position)")
    }

    /// Jinja's integer and float literals (decimal, 0x, 0o, 0b, `_` separators, exponents).
    private func number(at start: Int) -> (Token.Kind, Int)? {
        guard start < self.text.count, self.text[start].properties.numericType != nil, self.text[start].isASCII else { return nil }
        // A float never follows a dot (`messages.0.5` is two subscripts); an integer may.
        let mayBeFloat = !(start > 0 && self.text[start - 1] == ".")
        func digits(_ i: inout Int, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
            let begin = i
            while i < self.text.count, allowed(self.text[i]) || (self.text[i] == "_" && i + 1 < self.text.count && allowed(self.text[i + 1]) && i > begin) {
                i += 1
            }
            return i > begin
        }
        let decimal: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        // Floats first, as Jinja's lexer tries them first.
        var i = start
        if mayBeFloat && digits(&i, decimal) {
            var j = i
            var isFloat = false
            if j + 1 < self.text.count && self.text[j] == "." && decimal(self.text[j + 1]) {
                j += 1
                _ = digits(&j, decimal)
                isFloat = true
            }
            if j < self.text.count && (self.text[j] == "e" || self.text[j] == "E") {
                var k = j + 1
                if k < self.text.count && (self.text[k] == "+" || self.text[k] == "-") { k += 1 }
                if digits(&k, decimal) {
                    j = k
                    isFloat = true
                }
            }
            if isFloat, let value = Double(self.string(start..<j).replacingOccurrences(of: "_", with: "")) {
                return (.float(value), j)
            }
        }
        // Integers: 0b, 0o, 0x prefixes, or decimal without a leading zero (or zeros only).
        if self.text[start] == "0" && start + 1 < self.text.count {
            let prefix = self.text[start + 1]
            let radix: Int? = prefix == "b" || prefix == "B" ? 2 : prefix == "o" || prefix == "O" ? 8 : prefix == "x" || prefix == "X" ? 16 : nil
            if let radix {
                var k = start + 2
                if k < self.text.count && self.text[k] == "_" { k += 1 }
                let allowed: (Unicode.Scalar) -> Bool = { $0.isASCII && Int(String($0), radix: radix) != nil }
                if digits(&k, allowed), let value = Int(self.string((start + 2)..<k).replacingOccurrences(of: "_", with: ""), radix: radix) {
                    return (.integer(value), k)
                }
            }
        }
        var k = start
        if self.text[start] == "0" {
            k += 1
            while k < self.text.count && (self.text[k] == "0" || (self.text[k] == "_" && k + 1 < self.text.count && self.text[k + 1] == "0")) { k += 1 }
            return (.integer(0), k)
        }
        guard digits(&k, decimal), let value = Int(self.string(start..<k).replacingOccurrences(of: "_", with: "")) else { return nil }
        return (.integer(value), k)
    }

    /// A quoted string, its escapes decoded as Python's `unicode-escape` does.
    private mutating func stringLiteral(quote: Unicode.Scalar) throws(JinjaError) {
        var i = self.position + 1
        var out = String.UnicodeScalarView()
        while i < self.text.count && self.text[i] != quote {
            let c = self.text[i]
            guard c == "\\", i + 1 < self.text.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = self.text[i + 1]
            i += 2
            switch e {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "x", "u", "U":
                let count = e == "x" ? 2 : e == "u" ? 4 : 8
                guard i + count <= self.text.count, let value = UInt32(self.string(i..<(i + count)), radix: 16), let scalar = Unicode.Scalar(value) else {
                    throw self.fail("truncated \\\(e) escape")
                }
                out.append(scalar)
                i += count
            case "0"..."7":
                var value = e.value - 0x30
                var n = 1
                while n < 3, i < self.text.count, ("0"..."7").contains(self.text[i]) {
                    value = value * 8 + self.text[i].value - 0x30
                    i += 1
                    n += 1
                }
                out.append(Unicode.Scalar(value)!)
            default:
                out.append("\\")
                out.append(e)
            }
        }
        guard i < self.text.count else { throw self.fail("unexpected char \(PythonText.repr(String(quote))) at \(self.position)") }
        self.emit(.string(String(out)))
        self.advance(to: i + 1)
    }
}
