import Foundation
import IngotJSON
import Testing

@Suite struct JSONLineScannerTests {
    static func extract(_ line: String, _ path: [String] = ["text"]) throws(JSONLineScanner.Failure) -> String {
        let bytes = Array(line.utf8)
        var output: [UInt8] = []
        let result = bytes.withUnsafeBytes { raw -> Result<Void, JSONLineScanner.Failure> in
            do throws(JSONLineScanner.Failure) {
                try JSONLineScanner(keyPath: path).extract(from: raw, into: &output)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return String(decoding: output, as: UTF8.self)
    }

    @Test func extractsTheFieldAndDecodesEscapes() throws {
        #expect(try Self.extract(#"{"id": 1, "text": "hello"}"#) == "hello")
        #expect(try Self.extract(#"{"text":"a\nb\t\"q\"\\ \/ \u00e9 \ud83d\ude00"}"#) == "a\nb\t\"q\"\\ / é 😀")
        #expect(try Self.extract(#"  {"text" : "x" , "other": [1, {"a": null}, true, -1.5e3]}  "#) == "x")
        #expect(try Self.extract(#"{"te\u0078t": "escaped key"}"#) == "escaped key")
        #expect(try Self.extract(#"{"text": "first", "text": "last"}"#) == "last")
        #expect(try Self.extract(#"{"text": ""}"#) == "")
    }

    @Test func followsNestedKeyPaths() throws {
        #expect(try Self.extract(#"{"meta": {"body": "deep", "x": 1}, "text": "top"}"#, ["meta", "body"]) == "deep")
        #expect(throws: JSONLineScanner.Failure.missingField) { try Self.extract(#"{"meta": {"x": 1}}"#, ["meta", "body"]) }
    }

    @Test func reportsTypeErrors() {
        #expect(throws: JSONLineScanner.Failure.notAString("a number")) { try Self.extract(#"{"text": 12}"#) }
        #expect(throws: JSONLineScanner.Failure.notAString("null")) { try Self.extract(#"{"text": null}"#) }
        #expect(throws: JSONLineScanner.Failure.notAString("an array")) { try Self.extract(#"{"text": ["a"]}"#) }
        #expect(throws: JSONLineScanner.Failure.missingField) { try Self.extract(#"{"body": "x"}"#) }
    }

    @Test(arguments: [
        #"{"text": "x""#, #"{"text": "x",}"#, #"{"text" "x"}"#, #"["text"]"#, #"{"text": "x"} {}"#,
        #"{"text": "\q"}"#, #"{"text": "\u12"}"#, #"{"text": "a\ud800"}"#, "{\"text\": \"tab\there\"}", #"{"a": 01, "text": "x"}"#,
        #"{"a": 1., "text": "x"}"#, #"{"a": tru, "text": "x"}"#, "",
    ])
    func rejectsMalformedLines(_ line: String) {
        #expect(throws: JSONLineScanner.Failure.self) { try Self.extract(line) }
    }

    /// The scanner agrees with Foundation's JSONSerialization on every line of the sample corpus.
    @Test func agreesWithFoundationOnTheSampleCorpus() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples/corpus/sample-en.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        for line in text.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(try Self.extract(String(line)) == object["text"] as! String)
        }
    }
}

@Suite struct JSONValueTests {
    @Test func parsesATree() throws {
        let value = try JSONValue.parse(Array(#"{"a": [1, 2.5, "s", null, true], "b": {"c": -3}}"#.utf8))
        #expect(value["a"]?.arrayValue?.count == 5)
        #expect(value["a"]?.arrayValue?[1].doubleValue == 2.5)
        #expect(value["b"]?["c"]?.intValue == -3)
    }

    /// Strings come out as the text they spell, escaped or not; bytes that are not UTF-8 are an
    /// error naming where the string starts.
    @Test func decodesStrings() throws {
        let value = try JSONValue.parse(Array(#"{"k\u00e9y": ["caf\u00e9", "\ud83d\ude00", "a\u0000b", "raw é 😀", ""]}"#.utf8))
        #expect(value["kéy"]?.arrayValue?.map(\.stringValue) == ["café", "😀", "a\u{0}b", "raw é 😀", ""])
        let bad: [UInt8] = Array(#"["ok", "x"#.utf8) + [0xC3, 0x28] + Array(#""]"#.utf8)
        #expect {
            try JSONValue.parse(bad)
        } throws: { error in
            (error as? JSONError)?.offset == 7
        }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONError.self) { try JSONValue.parse(Array(deep.utf8)) }
    }
}

@Suite struct UTF8ValidationTests {
    /// Agrees with the standard library's validation on random and edge-case byte strings.
    @Test func agreesWithTheStandardLibrary() {
        var state: UInt64 = 1
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x90, 0x8F]
        for length in 0..<12 {
            for _ in 0..<3000 {
                let bytes = (0..<length).map { _ in interesting[Int(next()) % interesting.count] }
                let expected = String(validating: bytes, as: UTF8.self) != nil
                let actual = bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
                #expect(actual == expected, "\(bytes)")
            }
        }
        let long = Array("ascii text that is long enough for the eight-byte path, then é and 😀".utf8)
        #expect(long.withUnsafeBytes { UTF8Validation.isValid($0) })
    }
}

/// serde_json's default float reading, which HuggingFace `tokenizers` scores go through.
@Suite struct SerdeFloatTests {
    @Test(arguments: [
        // (text, serde_json's value, correctly rounded value); the first differs by one ulp.
        ("-2.0122928619384766", -2.012292861938477, -2.0122928619384766),
        ("-9.112275123596191", -9.112275123596191, -9.112275123596191),
        ("0.5", 0.5, 0.5),
        ("1e3", 1000.0, 1000.0),
        ("-0.0", -0.0, -0.0),
    ])
    func readsNumbersAsSerdeJSONDoes(_ text: String, _ serde: Double, _ nearest: Double) throws {
        #expect(try JSONValue.parse(Array("[\(text)]".utf8), floats: .serdeJSON).arrayValue?.first?.doubleValue == serde)
        #expect(try JSONValue.parse(Array("[\(text)]".utf8)).arrayValue?.first?.doubleValue == nearest)
    }
}
