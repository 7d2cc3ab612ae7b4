import IngotJSON
import IngotTestSupport
import Testing

@Suite struct JSONPullReaderTests {
    /// Rebuilds any value through the reader's container calls, to compare with the tree parser.
    static func read(_ reader: inout JSONPullReader) throws -> JSONValue {
        switch reader.peekKind() {
        case .object:
            var members: [(key: String, value: JSONValue)] = []
            if try reader.enterObject() {
                repeat {
                    var key: [UInt8] = []
                    try reader.readKey(into: &key)
                    members.append((String(decoding: key, as: UTF8.self), try Self.read(&reader)))
                } while try reader.nextMember()
            }
            return .object(members)
        case .array:
            var elements: [JSONValue] = []
            if try reader.enterArray() {
                repeat { elements.append(try Self.read(&reader)) } while try reader.nextElement()
            }
            return .array(elements)
        case .string:
            var bytes: [UInt8] = []
            try reader.readString(into: &bytes)
            return .string(String(decoding: bytes, as: UTF8.self))
        case .number, .literal, nil:
            return try reader.readValue()
        }
    }

    static func pull(_ text: String) throws -> JSONValue {
        try Array(text.utf8).withUnsafeBytes { raw in
            var reader = try JSONPullReader(raw)
            let value = try Self.read(&reader)
            try reader.finish()
            return value
        }
    }

    @Test(arguments: [
        #"{"a": [1, 2.5, "s", null, true], "b": {"c": -3}}"#,
        #" { } "#, "[]", "[[], {}, [[]], {\"\": {}}]",
        #"{"Ġthe": 262, "\u0120a": 1, "tab\there": 2, "\ud83d\ude00": 3, "é": 4}"#,
        #"["a b", ["c", "d"], "e\nf", "\"q\" \\"]"#,
        "\n[\n 1 ,\t2 \r\n]\n", #"{"dup": 1, "dup": 2}"#, "1e5", #""x""#,
    ])
    func agreesWithTheTreeParser(_ text: String) throws {
        #expect(try Self.pull(text) == JSONValue.parse(Array(text.utf8)))
    }

    @Test(arguments: [
        #"{"a": 1,}"#, #"{"a" 1}"#, #"[1 2]"#, #"[1,]"#, #"{"a": 1} x"#, #"{"a": 1"#, #"["a]"#, #"{"a": "\ud800"}"#, "[01]",
    ])
    func refusesWhatTheTreeParserRefuses(_ text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(Array(text.utf8)) }
        #expect(throws: JSONError.self) { try Self.pull(text) }
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONError.self) { try JSONValue.parse(bytes) }
        #expect(throws: JSONError.self) {
            try bytes.withUnsafeBytes { raw in _ = try JSONPullReader(raw) }
        }
    }

    /// Deferred members are left out of the tree, their ranges (by path) hold exactly their
    /// values, and members of the same names elsewhere stay in the tree.
    @Test func deferredMembersAreRangesOfTheirValues() throws {
        let text = #"{"vocab": 1, "model": {"type": "BPE", "vocab": {"a": 0, "b": 1} , "merges": ["a b"], "x": {"vocab": 2}}}"#
        let bytes = Array(text.utf8)
        let (value, deferred) = try bytes.withUnsafeBytes { raw in
            try JSONValue.parse(raw, floats: .correctlyRounded, deferring: .init(of: "model", ["vocab", "merges"]))
        }
        #expect(value["vocab"]?.intValue == 1)
        #expect(value["model"]?["type"]?.stringValue == "BPE")
        #expect(value["model"]?["vocab"] == nil)
        #expect(value["model"]?["merges"] == nil)
        #expect(value["model"]?["x"]?["vocab"]?.intValue == 2)
        #expect(deferred["vocab"] == nil)
        let vocab = try #require(deferred["model.vocab"])
        let merges = try #require(deferred["model.merges"])
        #expect(String(decoding: bytes[vocab], as: UTF8.self) == #"{"a": 0, "b": 1}"#)
        #expect(String(decoding: bytes[merges], as: UTF8.self) == #"["a b"]"#)
        // A deferred value is only delimited by its brackets; its syntax is checked when it is read.
        let broken = Array(text.replacingOccurrences(of: #"["a b"]"#, with: #"["a b",]"#).utf8)
        let brokenMerges = try #require(
            try broken.withUnsafeBytes { raw in
                try JSONValue.parse(raw, floats: .correctlyRounded, deferring: .init(of: "model", ["vocab", "merges"]))
            }.deferred["model.merges"])
        #expect(String(decoding: broken[brokenMerges], as: UTF8.self) == #"["a b",]"#)
        #expect(throws: JSONError.self) { try Self.pull(String(decoding: broken[brokenMerges], as: UTF8.self)) }
        // Brackets inside strings and escaped quotes do not end it; a missing bracket is refused.
        let tricky = #"{"model": {"merges": ["] \" [", "}"], "x": 1}}"#
        let (trickyValue, trickyDeferred) = try Array(tricky.utf8).withUnsafeBytes { raw in
            try JSONValue.parse(raw, floats: .correctlyRounded, deferring: .init(of: "model", ["merges"]))
        }
        #expect(trickyValue["model"]?["x"]?.intValue == 1)
        #expect(trickyDeferred["model.merges"].map { String(decoding: Array(tricky.utf8)[$0], as: UTF8.self) } == #"["] \" [", "}"]"#)
        #expect(throws: JSONError.self) {
            try Array(#"{"model": {"merges": ["a b""#.utf8).withUnsafeBytes { raw in
                _ = try JSONValue.parse(raw, floats: .correctlyRounded, deferring: .init(of: "model", ["merges"]))
            }
        }
    }

    /// The deferred value's end is found eight bytes at a time: brackets, quotes and runs of
    /// backslashes in strings, at every alignment and across word boundaries, must delimit it
    /// exactly as reading byte by byte does. Seeded, so a failure reproduces.
    @Test func deferredValuesEndWhereTheirBracketsCloseAtEveryAlignment() throws {
        var random = SplitMix64(seed: 0x1A2B_3C4D)
        let pieces = [#"["#, #"]"#, #"{"#, #"}"#, #"\""#, #"\\"#, #"\\\""#, #"a"#, #"é"#, #"▁"#, #", "#, #"\u005d"#, "  "]
        func string() -> String {
            "\"" + (0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined() + "\""
        }
        func value(depth: Int) -> String {
            switch random.next() % (depth > 3 ? 2 : 4) {
            case 0: return string()
            case 1: return String(random.next() % 100_000)
            case 2: return "[" + (0..<Int(random.next() % 5)).map { _ in value(depth: depth + 1) }.joined(separator: ", ") + "]"
            default: return "{" + (0..<Int(random.next() % 5)).map { _ in string() + ": " + value(depth: depth + 1) }.joined(separator: ",") + "}"
            }
        }
        for round in 0..<400 {
            let container = round % 2 == 0 ? "[" + (0..<Int(random.next() % 6)).map { _ in value(depth: 1) }.joined(separator: ", ") + "]"
                : "{" + (0..<Int(random.next() % 6)).map { _ in string() + ":" + value(depth: 1) }.joined(separator: ", ") + "}"
            let padding = String(repeating: " ", count: round % 16)
            let text = #"{"model": {"# + padding + #""merges": "# + container + #", "x": 1}, "y": [2]}"#
            let bytes = Array(text.utf8)
            let (parsed, deferred) = try bytes.withUnsafeBytes { raw in
                try JSONValue.parse(raw, floats: .correctlyRounded, deferring: .init(of: "model", ["merges"]))
            }
            let merges = try #require(deferred["model.merges"])
            #expect(String(decoding: bytes[merges], as: UTF8.self) == container, "round \(round)")
            #expect(parsed["model"]?["x"]?.intValue == 1 && parsed["y"]?.arrayValue?.first?.intValue == 2, "round \(round)")
            // The value is valid JSON: what was skipped reads back whole.
            #expect(throws: Never.self) { try Self.pull(container) }
        }
    }

    /// Top-level members are deferred by their key (a Tekken file's `vocab`), alongside a
    /// member's members, and skipped values are still checked: here a value with a bad literal.
    @Test func topLevelMembersAreDeferredByKey() throws {
        let text = #"{"config": {"vocab": 3}, "vocab": [{"rank": 0, "token_bytes": "IQ=="}], "model": {"vocab": {}}, "n": 1}"#
        let bytes = Array(text.utf8)
        let (value, deferred) = try bytes.withUnsafeBytes { raw in
            try JSONValue.parse(raw, floats: .correctlyRounded, deferring: .init(of: "model", ["vocab"], topLevel: ["vocab"]))
        }
        #expect(value["vocab"] == nil && value["model"]?["vocab"] == nil)
        #expect(value["config"]?["vocab"]?.intValue == 3)
        #expect(value["n"]?.intValue == 1)
        #expect(deferred["vocab"].map { String(decoding: bytes[$0], as: UTF8.self) } == #"[{"rank": 0, "token_bytes": "IQ=="}]"#)
        #expect(deferred["model.vocab"].map { String(decoding: bytes[$0], as: UTF8.self) } == "{}")
        #expect(throws: JSONError.self) {
            try Array(#"{"vocab": nope, "n": 1}"#.utf8).withUnsafeBytes { raw in
                _ = try JSONValue.parse(raw, floats: .correctlyRounded, deferring: .init(of: "model", [], topLevel: ["vocab"]))
            }
        }
    }

    @Test func skipValueChecksWhatItSkips() throws {
        try Array(#"[{"a": [1, "x", null]}, 2]"#.utf8).withUnsafeBytes { raw in
            var reader = try JSONPullReader(raw)
            #expect(try reader.enterArray())
            try reader.skipValue()
            #expect(try reader.nextElement())
            #expect(try reader.readValue().intValue == 2)
            #expect(try !reader.nextElement())
            try reader.finish()
        }
        #expect(throws: JSONError.self) {
            try Array(#"[{"a": tru}]"#.utf8).withUnsafeBytes { raw in
                var reader = try JSONPullReader(raw)
                _ = try reader.enterArray()
                try reader.skipValue()
            }
        }
    }

    /// Strings without escapes are read in place; one with an escape is left for the decoding
    /// reader, nothing consumed; a control character is refused either way.
    @Test func unescapedStringsAreReadInPlace() throws {
        try Array(#"{"plain": "a b", "te\u0078t": "é\n"}"#.utf8).withUnsafeBytes { raw in
            var reader = try JSONPullReader(raw)
            #expect(try reader.enterObject())
            let key = try #require(try reader.readUnescapedKey())
            #expect(Array(key) == Array("plain".utf8))
            let value = try #require(try reader.readUnescapedString())
            #expect(Array(value) == Array("a b".utf8))
            #expect(try reader.nextMember())
            #expect(try reader.readUnescapedKey() == nil)
            var decoded: [UInt8] = []
            try reader.readKey(into: &decoded)
            #expect(decoded == Array("text".utf8))
            #expect(try reader.readUnescapedString() == nil)
            decoded.removeAll()
            try reader.readString(into: &decoded)
            #expect(decoded == Array("é\n".utf8))
            #expect(try !reader.nextMember())
            try reader.finish()
        }
        #expect(throws: JSONError.self) {
            try Array("[\"a\u{01}b\"]".utf8).withUnsafeBytes { raw in
                var reader = try JSONPullReader(raw)
                _ = try reader.enterArray()
                _ = try reader.readUnescapedString()
            }
        }
    }
}
