import Foundation
import IngotJinja
import Testing

/// Templates come from model repositories: untrusted code. Whatever a template does, a render
/// ends quickly with text or a clean error; it never hangs, exhausts memory or crashes the
/// process (a trap on integer overflow, a stack overflow on deep nesting).
///
/// The limits are scaled down (4 MB values, 64 MB of work) so that a debug build meets them in
/// moments; the defaults are 16 times larger and the mechanisms the same.
@Suite struct SandboxTests {
    static let limits = JinjaTemplate.Limits(outputBytes: 4 << 20, workBytes: 64 << 20)

    static func render(_ source: String, _ variables: [String: JinjaValue] = [:]) -> Result<String, JinjaError> {
        do {
            return .success(try JinjaTemplate(source, limits: Self.limits).render(variables))
        } catch {
            return .failure(error)
        }
    }

    static func expectFailure(_ source: String, _ kind: JinjaError.Kind, sourceLocation: SourceLocation = #_sourceLocation) {
        let clock = ContinuousClock()
        var result: Result<String, JinjaError>!
        let elapsed = clock.measure { result = Self.render(source) }
        switch result! {
        case .success(let text):
            Issue.record("rendered \(text.utf8.count) bytes, expected a \(kind)", sourceLocation: sourceLocation)
        case .failure(let error):
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        }
        #expect(elapsed < .seconds(20), "took \(elapsed)", sourceLocation: sourceLocation)
    }

    /// A template, shown by its first 60 characters.
    struct Hostile: CustomTestStringConvertible, Sendable {
        let source: String
        init(_ source: String) { self.source = source }
        var testDescription: String { source.count > 60 ? String(source.prefix(60)) + "..." : source }
    }

    @Test(arguments: [
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
        "{{ 'x' * 10 ** 12 }}",
        "{{ [1] * 10 ** 12 }}",
        "{{ (1, 2) * 10 ** 12 }}",
        "{{ 'a'.center(10 ** 12) }}",
        "{{ 'a'.ljust(10 ** 12, '-') }}",
        "{{ '1'.zfill(10 ** 12) }}",
        "{{ 'a' | center(10 ** 12) }}",
        "{{ '%999999999999s' % 1 }}",
        "{{ '%.999999999999f' % 1.5 }}",
        "{{ 'a\\nb' | indent(10 ** 12) }}",
        "{{ [1] | batch(10 ** 12, 0) | list }}",
        "{{ [1] | slice(10 ** 12) | list }}",
        "{{ [1] | tojson(indent=10 ** 12) }}",
        "{{ 'ab' | replace('', 'x' * 3000000) }}",
        "{{ ('x' * 3000000).replace('x', 'yy') }}",
        "{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x }}",
        "{% set ns = namespace(x=1) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}",
        "{% set s = 'x' * 1000000 %}{{ ([s] * 1000) | join }}",
        "{% set s = 'x' * 1000000 %}{{ [s] * 1000 }}",
        "{% set s = 'x' * 1000000 %}{{ ([s] * 1000) | tojson }}",
        "{% set s = 'x' * 3000000 %}{% for i in range(1000) %}{% set t = s ~ i %}{% endfor %}",
        "{{ ('x' * 3000000).split('x') | length }}",
        "{{ ('x ' * 1500000).split() | length }}",
        "{{ ('x' * 3000000) | list | length }}",
        "{% for c in 'x' * 3000000 %}{% endfor %}",
    ].map(Hostile.init))
    func hostileTemplatesHitALimit(_ template: Hostile) {
        Self.expectFailure(template.source, .limit)
    }

    @Test func aNamespaceCannotHoldItself() {
        Self.expectFailure("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}", .limit)
        Self.expectFailure("{% set a = namespace() %}{% set b = namespace(a=a) %}{% set a.b = b %}{{ a }}", .limit)
    }

    @Test func integersOverflowIntoErrors() {
        for source in [
            "{{ -(-9223372036854775807 - 1) }}", "{{ (-9223372036854775807 - 1) // -1 }}", "{{ 2 ** 63 }}", "{{ 9223372036854775807 + 1 }}",
            "{{ 3037000500 * 3037000500 }}", "{{ range(0 - 2 ** 62, 2 ** 62) | length }}", "{{ '%d' % 1e300 }}",
        ] {
            Self.expectFailure(source, .overflow)
        }
        #expect(Self.render("{{ (-9223372036854775807 - 1) % -1 }} {{ 1 ** 1000000000000000000 }} {{ (-1) ** 1000000000000000001 }}") == .success("0 1 -1"))
        // Python's integers are unbounded; here they are 64-bit, and a float too large for one
        // converts to the filter's default.
        #expect(Self.render("{{ 1e300 | int }} {{ 1e300 | int(7) }} {{ 'nan' | float | int }}") == .success("0 7 0"))
    }

    @Test(arguments: [
        "{{ 1" + String(repeating: " + 1", count: 100_000) + " }}",
        "{{ x" + String(repeating: ".a", count: 100_000) + " }}",
        "{{ x" + String(repeating: " | e", count: 100_000) + " }}",
        "{{ " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + " }}",
        "{{ " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + " }}",
        "{{ " + String(repeating: "-", count: 100_000) + "1 }}",
        "{{ " + String(repeating: "not ", count: 100_000) + "1 }}",
        String(repeating: "{% if true %}", count: 100_000) + String(repeating: "{% endif %}", count: 100_000),
    ].map(Hostile.init))
    func deepNestingIsASyntaxError(_ template: Hostile) {
        Self.expectFailure(template.source, .syntax)
    }

    /// The deepest nesting allowed renders (no stack overflow, even in a debug build).
    @Test func allowedNestingRenders() {
        let parens = "{{ " + String(repeating: "(", count: 190) + "1" + String(repeating: ")", count: 190) + " }}"
        #expect(Self.render(parens) == .success("1"))
        let sum = "{{ 1" + String(repeating: " + 1", count: 499) + " }}"
        #expect(Self.render(sum) == .success("500"))
        let ifs = String(repeating: "{% if true %}", count: 190) + "x" + String(repeating: "{% endif %}", count: 190)
        #expect(Self.render(ifs) == .success("x"))
        let lists = "{{ " + String(repeating: "[", count: 150) + String(repeating: "]", count: 150) + " | length }}"
        #expect(Self.render(lists) == .success("1"))
    }

    @Test func lexerRefusesUnterminatedConstructs() {
        for source in ["{% raw %}abc", "{% raw %}abc{% endraw", "{{ 'abc", "{# abc", "{{ a ", "{% if %}", "{{ ) }}", "{{ 1 ]", "{% raw %}{% endraw -"] {
            if case .success(let text) = Self.render(source) { Issue.record("\(source) rendered \(text)") }
        }
    }
}
