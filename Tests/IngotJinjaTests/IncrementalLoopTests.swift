import IngotJinja
import Testing

/// The static check behind spliced prefix renders: it accepts templates that render a list item
/// by item and refuses, conservatively, anything that could make an iteration depend on later
/// items or on the excluded variables.
@Suite struct IncrementalLoopTests {
    static func accepts(_ source: String) throws -> Bool {
        try JinjaTemplate(source).incrementalLoop(over: "messages", excluding: ["add_generation_prompt"]) != nil
    }

    @Test(arguments: [
        "{% for m in messages %}<{{ m.role }}>{{ m.content | trim }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
        "{{ bos_token }}{% set loop_messages = messages %}{% for m in loop_messages %}{% if loop.index0 == 0 %}{{ bos_token }}{% endif %}{{ m.content }}{% endfor %}",
        "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{{ ns.n }}{{ loop.previtem.role | default('') }}{% endfor %}",
        "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{% for m in messages %}{% if m.role not in ['user', 'assistant'] %}{{ raise_exception('bad role') }}{% endif %}{{ m.content }}{% endfor %}",
        "{% for m in messages %}{% for part in m.content %}{{ part.text }}{{ loop.index }}{% endfor %}{% endfor %}",
    ])
    func itemByItemTemplatesAreAccepted(_ source: String) throws {
        #expect(try Self.accepts(source))
    }

    @Test(arguments: [
        // Looks ahead.
        "{% for m in messages %}{{ m.content }}{% if not loop.last %}\n{% endif %}{% endfor %}",
        "{% for m in messages %}{{ loop.length }}{% endfor %}",
        "{% for m in messages %}{{ loop.nextitem }}{% endfor %}",
        "{% for m in messages %}{{ loop }}{% endfor %}",
        "{% for m in messages %}{% for p in m.content %}{{ loop.revindex }}{% endfor %}{% endfor %}",
        // Reads the list outside the loop, or in it.
        "{% if messages[0].role == 'system' %}S{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}",
        "{% for m in messages %}{{ m.content }}{% endfor %}{{ messages | length }}",
        "{% for m in messages %}{{ messages[loop.index0 + 1] }}{% endfor %}",
        "{% set system = messages | selectattr('role', 'eq', 'system') | first %}{% for m in messages %}{{ m.content }}{% endfor %}",
        // Depends on the excluded variable, directly or through a name set from it.
        "{% for m in messages %}{{ m.content }}{% if add_generation_prompt %}!{% endif %}{% endfor %}",
        "{% set open = add_generation_prompt %}{% for m in messages %}{{ open }}{% endfor %}",
        "{% if add_generation_prompt %}{% set x = 1 %}{% endif %}{% for m in messages %}{{ x }}{% endfor %}",
        // State the loop leaves behind, read after it.
        "{% set ns = namespace(last='') %}{% for m in messages %}{% set ns.last = m.role %}{% endfor %}{{ ns.last }}",
        // Loops of other shapes.
        "{% for m in messages if m.role != 'system' %}{{ m.content }}{% endfor %}",
        "{% for m in messages %}{{ m.content }}{% else %}empty{% endfor %}",
        "{% for m in messages %}{% if m.role == 'tool' %}{% break %}{% endif %}{{ m.content }}{% endfor %}",
        "{% for m in messages %}{{ m.content }}{% endfor %}{% for m in messages %}{{ m.role }}{% endfor %}",
        "{% if true %}{% for m in messages %}{{ m.content }}{% endfor %}{% endif %}",
        // Macros escape the check.
        "{% macro show(m) %}{{ m.content }}{% endmacro %}{% for m in messages %}{{ show(m) }}{% endfor %}",
        "{{ 'no loop at all' }}",
    ])
    func templatesThatMightLookAheadAreRefused(_ source: String) throws {
        #expect(try !Self.accepts(source))
    }

    /// The recorded boundaries split the render where each iteration began.
    @Test func boundariesMarkEachIteration() throws {
        let template = try JinjaTemplate("<s>{% for m in messages %}[{{ m }}]{% endfor %}</s>")
        let loop = try #require(template.incrementalLoop(over: "messages"))
        let result = try template.render(["messages": .list([.string("a"), .string("bc")])], recording: loop)
        #expect(result.text == "<s>[a][bc]</s>")
        #expect(result.boundaries == [3, 6, 10])
        let empty = try template.render(["messages": .list([])], recording: loop)
        #expect(empty.text == "<s></s>" && empty.boundaries == [3])
    }
}
