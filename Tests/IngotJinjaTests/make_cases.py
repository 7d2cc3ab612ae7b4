#!/usr/bin/env python3
"""Reference renders for IngotJinja's tests, from Jinja2 in transformers' chat-template environment.

Each case is a template and the variables it renders with; the reference is what
`transformers.utils.chat_template_utils._compile_jinja_template(template).render(**variables)`
returns (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, transformers'
tojson, raise_exception, strftime_now, dict and namespace), or the error it raises as
"ExceptionName: message". Syntax errors are compared by kind only (Jinja2 appends the line).

    python Tests/IngotJinjaTests/make_cases.py   # a venv with transformers and jinja2>=3.1.6

Writes Fixtures/cases.jsonl beside this script: {"name", "template", "variables", "text" | "error"}.
"""
import json
import os

from transformers.utils.chat_template_utils import _compile_jinja_template

HERE = os.path.dirname(os.path.abspath(__file__))

MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "  Hi <b>there</b> & 'you' \"all\"  "},
    {"role": "assistant", "content": "Hello!", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich", "days": 3, "units": None, "ok": True, "ratio": 0.5}}}]},
    {"role": "tool", "content": "{\"temp\": 21}", "name": "get_weather"},
    {"role": "user", "content": [{"type": "text", "text": "Look"}, {"type": "image"}]},
]
V = {"messages": MESSAGES, "n": 7, "f": 2.5, "s": "Hello, World", "e": "", "u": "naïve café ß", "xs": [3, 1, 2], "d": {"b": 2, "a": 1, "c": None},
     "people": [{"name": "Ann", "age": 31, "team": "b"}, {"name": "bob", "age": 25, "team": "a"}, {"name": "Cy", "age": 31, "team": "b"}],
     "nested": {"a": {"b": [10, 20, {"c": "deep"}]}}, "t": True, "none": None}

CASES = [
    # Whitespace: trim_blocks, lstrip_blocks, - and + markers, comments, raw, the final newline.
    ("trim_blocks", "{% if true %}\nyes\n{% endif %}\nafter\n", {}),
    ("lstrip_blocks", "line\n    {% if true %}\n    indented\n    {% endif %}\nend", {}),
    ("lstrip_not_after_text", "a {% if true %}b{% endif %} c", {}),
    ("minus_markers", "a   {{- 'b' -}}   c\n  {%- if true -%}\n  d  \n{%- endif -%}  e", {}),
    ("plus_marker_keeps", "  {%+ if true %}x{% endif %}\n{% if true +%}\ny{% endif %}", {}),
    ("comment_trimmed", "a\n  {# note #}\nb{#- x -#}  c", {}),
    ("raw_block", "{% raw %}{{ not rendered }} {% if %}{% endraw %}!", {}),
    ("trailing_newline_dropped", "x\n", {}),
    ("two_trailing_newlines", "x\n\n", {}),
    ("crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n", {}),
    ("variable_tag_no_trim", "{{ 'a' }}\n{{ 'b' }}\n", {}),
    ("lstrip_tabs", "x\n\t \t{% if true %}y{% endif %}", {}),
    # Values printed as Python's str().
    ("print_values", "{{ n }}|{{ f }}|{{ t }}|{{ none }}|{{ xs }}|{{ d }}|{{ (1, 'a') }}|{{ [none, true, 1.0, 'it\\'s', \"q\\\"\"] }}", V),
    ("print_floats", "{{ 1/3 }} {{ 10/2 }} {{ 1e16 }} {{ 1e-5 }} {{ 0.1 + 0.2 }} {{ 2 ** 0.5 }} {{ 1.5e300 * 1e10 }} {{ -0.0 }} {{ 123456789.0 * 1000 }}", {}),
    ("print_nested", "{{ nested }} {{ messages[2].tool_calls }}", V),
    ("print_unicode_repr", "{{ ['naïve', 'a\\nb', 'tab\\t', '\\x00'] }}", {}),
    ("print_undefined", "[{{ missing }}][{{ d.missing }}][{{ xs[10] }}]", V),
    # Arithmetic and operators.
    ("integer_ops", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7 / 2 }} {{ -n }}", V),
    ("float_ops", "{{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ f * 2 }} {{ f + n }} {{ 3 - 1.5 }}", V),
    ("string_ops", "{{ 'ab' * 3 }} {{ 'a' + 'b' }} {{ 'x' ~ 1 ~ none ~ true ~ 2.0 }} {{ [1] + [2, 3] }} {{ [0] * 3 }}", {}),
    ("comparisons", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ 1 == true }} {{ 'a' != 'a' }} {{ none == none }}", {}),
    ("membership", "{{ 'ell' in s }} {{ 2 in xs }} {{ 'a' in d }} {{ 'z' not in d }} {{ 5 not in xs }}", V),
    ("boolean_values", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }} {{ none or [] }} {{ not [] }} {{ not 'a' }}", {}),
    ("conditional_expression", "[{{ 'y' if t }}][{{ 'y' if none }}][{{ 'a' if false else 'b' if true else 'c' }}]", V),
    ("precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 1 ~ 2 * 3 }} {{ not 1 == 2 }} {{ 'a' ~ 'b' in 'xab' }}", {}),
    ("error_concat_binds_tighter_than_plus", "{{ 1 ~ 2 + 3 }}", {}),
    ("literals", "{{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 1.5e3 }} {{ 'a' 'b' }} {{ True }} {{ None }}", {}),
    # Subscripts, attributes, slices.
    ("subscripts", "{{ messages[0]['role'] }} {{ messages.0.content }} {{ messages[-1].content[0].text }} {{ nested.a.b[2].c }} {{ s[0] }} {{ s[-1] }}", V),
    ("slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ s[7:] }} {{ s[::2] }} {{ messages[1:3] | length }} {{ xs[5:] }} {{ s[-100:3] }}", V),
    ("attribute_falls_back_to_item", "{{ d.a }} {{ d['b'] }} {{ d.items() | list }}", V),
    # Statements.
    ("set_and_scope", "{% set x = 1 %}{% for i in xs %}{% set x = i %}{% endfor %}{{ x }}", V),
    ("namespace", "{% set ns = namespace(total=0, found=false) %}{% for i in xs %}{% set ns.total = ns.total + i %}{% if i == 1 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.found }}", V),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set (c, d) = [3, 4] %}{{ c }}{{ d }}", {}),
    ("set_block", "{% set block %}  x {{ n }} {% endset %}[{{ block }}]{% set up | upper %}abc{% endset %}{{ up }}", V),
    ("if_elif_else", "{% for i in [1, 2, 3] %}{% if i == 1 %}one{% elif i == 2 %}two{% else %}other{% endif %},{% endfor %}", {}),
    ("loop_variables", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", V),
    ("loop_prev_next", "{% for x in xs %}{{ loop.previtem | default('-') }}{{ loop.nextitem | default('-') }} {% endfor %}", V),
    ("loop_cycle_changed", "{% for p in people %}{{ loop.cycle('odd', 'even') }}{% if loop.changed(p.age) %}*{% endif %} {% endfor %}", V),
    ("loop_else", "{% for x in [] %}x{% else %}empty{% endfor %}", {}),
    ("loop_filter", "{% for x in xs if x > 1 %}{{ x }}{{ loop.index }}{% endfor %}", V),
    ("loop_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop_unpack", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for a, b in [[1, 2], (3, 4)] %}{{ a + b }}{% endfor %}", V),
    ("loop_over_dict_and_string", "{% for k in d %}{{ k }}{% endfor %}|{% for c in 'abc' %}{{ c }}.{% endfor %}", V),
    ("loop_nested", "{% for a in [1, 2] %}{% for b in [1, 2] %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{% endfor %}", {}),
    ("loop_recursive", "{% for item in [{'n': 'a', 'c': [{'n': 'b', 'c': []}]}] recursive %}{{ loop.depth }}{{ item.n }}[{{ loop(item.c) }}]{% endfor %}", {}),
    ("loop_scope_leak", "{% for x in xs %}{% endfor %}[{{ x }}]", V),
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("filter_block", "{% filter upper %}hello {{ s }}{% endfilter %}", V),
    ("macro", "{% macro greet(name, greeting='Hi') %}{{ greeting }} {{ name }}{% if varargs %}{{ varargs }}{% endif %}{% if kwargs %}{{ kwargs }}{% endif %}{% endmacro %}{{ greet('a') }}|{{ greet('b', 'Yo') }}|{{ greet(greeting='Hey', name='c') }}|{{ greet('d', 'e', 'f') }}|{{ greet('g', extra=1) }}", {}),
    ("macro_caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}in {{ n }}{% endcall %}", V),
    ("macro_call_args", "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}", {}),
    ("macro_recursion", "{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}", {}),
    ("macro_sees_outer", "{% set outer = 'o' %}{% macro m() %}{{ outer }}{% endmacro %}{{ m() }}", {}),
    ("generation_block", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.role }}{% endif %};{% endfor %}", V),
    # Filters.
    ("filter_strings", "{{ s | upper }} {{ s | lower }} {{ 'hello world' | title }} {{ 'hELLO' | capitalize }} {{ '  x  ' | trim }}| {{ 'xxaxx' | trim('x') }} {{ s | replace('l', 'L') }} {{ s | replace('l', 'L', 1) }} {{ s | length }} {{ s | reverse }} {{ u | upper }} {{ u | title }}", V),
    ("filter_default", "{{ missing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }} {{ 0 | d('z', boolean=true) }} {{ n | default(1) }}", V),
    ("filter_join", "{{ xs | join(', ') }} {{ people | join('/', attribute='name') }} {{ [1, none, 'a'] | join }}", V),
    ("filter_first_last", "{{ xs | first }} {{ xs | last }} {{ s | first }} {{ s | last }} {{ people | map(attribute='name') | first }} [{{ [] | first }}]", V),
    ("error_last_of_generator", "{{ people | map(attribute='name') | last }}", V),
    ("filter_length_count", "{{ xs | length }} {{ d | count }} {{ messages | length }}", V),
    ("filter_map_select", "{{ people | map(attribute='age') | list }} {{ xs | map('string') | join('+') }} {{ people | selectattr('age', 'equalto', 31) | map(attribute='name') | list }} {{ people | rejectattr('team', 'eq', 'a') | list | length }} {{ xs | select('odd') | list }} {{ xs | reject('gt', 1) | list }} {{ [0, 1, '', 'a', none] | select | list }}", V),
    ("filter_selectattr_truthy", "{{ messages | selectattr('tool_calls') | list | length }} {{ messages | selectattr('role', 'in', ['user', 'system']) | list | length }} {{ messages | map(attribute='name', default='-') | list }}", V),
    ("filter_sort", "{{ xs | sort }} {{ xs | sort(reverse=true) }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ people | sort(attribute='age') | map(attribute='name') | list }} {{ people | sort(attribute='age,name') | map(attribute='name') | list }}", V),
    ("filter_dictsort", "{{ d | dictsort }} {{ d | dictsort(reverse=true) }} {{ {'b': 1, 'A': 2} | dictsort }} {{ {'x': 2, 'y': 1} | dictsort(by='value') }}", V),
    ("filter_items_list", "{{ d | items | list }} {{ 'abc' | list }} {{ d | list }}", V),
    ("filter_unique_minmax_sum", "{{ [1, 2, 1, 3] | unique | list }} {{ ['a', 'A', 'b'] | unique | list }} {{ xs | min }} {{ xs | max }} {{ xs | sum }} {{ people | sum(attribute='age') }} {{ people | max(attribute='age') }}", V),
    ("filter_groupby", "{% for g in people | groupby('team') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join(',') }};{% endfor %}{% for team, ps in people | groupby('age') %}{{ team }}={{ ps | length }};{% endfor %}", V),
    ("filter_numbers", "{{ '42' | int }} {{ '4.7' | int }} {{ 'x' | int(7) }} {{ '0x1A' | int(0, 16) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ 'x' | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.1 | round(method='ceil') }} {{ 2.9 | round(0, 'floor') }}", {}),
    ("filter_indent", "{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(width='> ', blank=true) }}", {}),
    ("filter_center_wordcount_truncate", "[{{ 'ab' | center(7) }}] {{ 'one two  three' | wordcount }} {{ 'The quick brown fox jumps over' | truncate(15) }} {{ 'The quick brown fox' | truncate(9, true) }} {{ 'short' | truncate(10) }}", {}),
    ("filter_batch_slice", "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3, 4, 5] | batch(2, 0) | list }} {{ [1, 2, 3, 4, 5] | slice(2) | list }} {{ [1, 2, 3, 4, 5] | slice(3, 'x') | list }}", {}),
    ("filter_escape_striptags", "{{ '<a href=\"x\">&\\'</a>' | e }} {{ '<p>Hello   <b>world</b></p>' | striptags }} {{ '<x>' | safe }}", {}),
    ("filter_format_string_attr", "{{ '%s-%d-%.2f' | format('a', 3, 2.5) }} {{ '%(a)s!' | format(a='k') }} {{ 42 | string }} {{ messages[0] | attr('role') }} {{ {'a': [1, 'x']} | pprint }}", V),
    ("filter_tojson", "{{ d | tojson }} {{ messages[2] | tojson }} {{ u | tojson }} {{ '<&>\\'' | tojson }} {{ [1.0, 2.5, 1e20, -0.0, true, none] | tojson }}", V),
    ("filter_tojson_options", "{{ d | tojson(indent=2) }}\n{{ nested | tojson(indent=4, sort_keys=true) }}\n{{ d | tojson(separators=(',', ':')) }}\n{{ u | tojson(ensure_ascii=true) }}\n{{ [] | tojson(indent=2) }}{{ {} | tojson(indent=2) }}\n{{ d | tojson(indent='\\t') }}", V),
    ("filter_tojson_tool_schema", "{% for tool in tools %}{{ tool | tojson(indent=4) }}\n{% endfor %}", {"tools": [{"type": "function", "function": {"name": "f", "description": "Ünïcode \"quoted\" </script>", "parameters": {"type": "object", "properties": {"x": {"type": "number", "enum": [1, 2.5]}}, "required": ["x"]}}}]}),
    # Tests.
    ("tests_types", "{{ n is number }}{{ f is float }}{{ n is integer }}{{ t is boolean }}{{ s is string }}{{ d is mapping }}{{ xs is sequence }}{{ s is iterable }}{{ n is iterable }}{{ none is none }}{{ missing is defined }}{{ missing is undefined }}{{ d.a is defined }}{{ range is callable }}", V),
    ("tests_values", "{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(4) }}{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ 1 is eq 1 }}{{ 1 is ne 2 }}{{ 1 is lt 2 }}{{ 2 is ge 2 }}{{ 'a' is in 'abc' }}{{ none is sameas none }}{{ t is true }}{{ none is false }}{{ 'upper' is filter }}{{ 'odd' is test }}{{ 'nope' is filter }}", V),
    ("tests_negated", "{{ n is not string }}{{ missing is not defined }}{{ not n is string }}", V),
    # Methods.
    ("string_methods", "{{ '  a b  '.strip() }}|{{ 'xxaxx'.lstrip('x') }}|{{ 'xxaxx'.rstrip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a b c'.rsplit(' ', 1) }}|{{ 'a\\nb\\r\\nc'.splitlines() }}|{{ s.startswith('Hell') }}{{ s.endswith(('x', 'ld')) }}|{{ s.find('o') }}{{ s.rfind('o') }}{{ s.count('l') }}{{ s.index('W') }}|{{ '-'.join(['a', 'b']) }}|{{ s.replace('l', '') }}|{{ 'abc'.upper() }}{{ 'ABC'.lower() }}{{ 'ab cd'.title() }}{{ 'ab'.capitalize() }}", V),
    ("string_methods_more", "{{ 'abc'.removeprefix('a') }}{{ 'abc'.removesuffix('c') }}|{{ '12'.isdigit() }}{{ 'ab'.isalpha() }}{{ 'a1'.isalnum() }}{{ ' '.isspace() }}{{ 'ab'.islower() }}{{ 'AB'.isupper() }}|{{ 'ab'.center(6, '*') }}{{ 'ab'.ljust(4, '.') }}{{ 'ab'.rjust(4) }}{{ '42'.zfill(5) }}{{ '-4'.zfill(4) }}|{{ 'a=b=c'.partition('=') }}{{ 'a=b=c'.rpartition('=') }}|{{ '{} and {}'.format('x', 1) }}{{ '{0}{name}'.format('p', name='q') }}|{{ 'aBc'.swapcase() }}", V),
    ("dict_methods", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 5) }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }} {{ messages[2].get('tool_calls')[0].function.name }}", V),
    ("list_methods", "{{ xs.index(2) }} {{ xs.count(3) }} {{ (1, 2, 2).count(2) }}", V),
    # Globals.
    ("globals_range_dict", "{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }} {{ dict(a=1, b=2) }} {{ dict([('x', 1)]) }} {{ dict(d, z=0) }}", V),
    ("globals_cycler_joiner", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}{% set j = joiner('|') %}{% for x in xs %}{{ j() }}{{ x }}{% endfor %}", V),
    ("namespace_from_dict", "{% set ns = namespace(d) %}{{ ns.a }}{{ ns.b }}", V),
    ("string_concat_with_messages", "{% for m in messages[:2] %}{{ '<|' + m.role + '|>' + m.content | trim + '\\n' }}{% endfor %}", V),
    # Iterators: what map, select, unique, items and reverse return can be iterated once, has no
    # length and is always true.
    ("generator_is_true", "{% if xs | select('gt', 100) %}yes{% endif %}{% if xs | select('gt', 100) | list %}no{% endif %}", V),
    ("generator_consumed", "{% set g = xs | map('string') %}{{ g | join }}|{{ g | join }}|{% set h = xs | map('string') %}{{ '3' in h }}{{ h | list }}", V),
    ("generator_loop_length", "{% for x in xs | select('odd') %}{{ loop.length }}{{ loop.last }}{% endfor %}", V),
    ("groupby_tuple", "{% for g in people | groupby('team') %}{{ g[0] }}{{ g.list | length }}{{ g | length }}{% endfor %} {{ (people | groupby('team'))[0] }} {{ people | groupby('team') | map(attribute='grouper') | join }}", V),
    ("reverse_iterates", "{% for x in xs | reverse %}{{ x }}{% endfor %}{{ 'abc' | reverse }}{{ xs | reverse | list }}{{ d | reverse | list }}", V),
    ("dict_fromkeys", "{{ dict.fromkeys(['a', 'b'], 0) }} {{ dict.fromkeys('xy') }}", {}),
    ("number_parsing", "{{ ' 12 ' | int }} {{ '1_000' | int }} {{ '0b11' | int(0, 0) }} {{ '1e3' | int }} {{ 'inf' | float }} {{ '0x10' | float }} {{ '-0x10' | int(0, 16) }} {{ '007' | int(-1, 0) }} {{ '1__0' | int(-1) }} {{ ' -2.5e1 ' | float }}", {}),
    ("error_length_of_generator", "{{ xs | select | length }}", V),
    ("error_tojson_generator", "{{ xs | select | tojson }}", V),
    ("error_no_else_used", "{{ x }}\n{{ ('a' if false) + 'b' }}", {"x": 1}),
    ("error_first_of_empty_used", "{{ ([] | first).x }}", {}),
    ("error_previtem_used", "{% for x in [1] %}{{ loop.previtem + 1 }}{% endfor %}", {}),
    ("error_min_of_empty_used", "{{ ([] | min) + 1 }}", {}),
    ("error_last_of_reversed", "{{ xs | reverse | last }}", V),
    # Errors, as transformers reports them.
    ("error_raise_exception", "{% if messages[0].role != 'user' %}{{ raise_exception('Roles must alternate, got ' + messages[0].role) }}{% endif %}", V),
    ("error_undefined_name_used", "{{ missing + 1 }}", {}),
    ("error_undefined_attribute_used", "{{ d.missing.x }}", V),
    ("error_undefined_iterated_is_empty", "[{% for x in missing %}{{ x }}{% endfor %}]", {}),
    ("error_undefined_call", "{{ missing() }}", {}),
    ("error_undefined_method", "{{ xs.strip() }}", V),
    ("error_missing_element", "{{ (xs[10]).x }}", V),
    ("error_concat_list", "{{ 'a' + messages[4].content }}", V),
    ("error_add_int_str", "{{ 1 + 'a' }}", {}),
    ("error_add_str_int", "{{ 'a' + 1 }}", {}),
    ("error_compare", "{{ 1 < 'a' }}", {}),
    ("error_sort_mixed", "{{ [1, 'a'] | sort }}", {}),
    ("error_unsafe_append", "{% set l = [] %}{{ l.append(1) }}", {}),
    ("error_unsafe_dict_update", "{{ d.update({'x': 1}) }}", V),
    ("underscore_attribute_prints_nothing", "[{{ s.__class__ }}]", V),
    ("error_underscore_attribute_used", "{{ s.__class__.__name__ }}", V),
    ("error_namespace_underscore", "{% set ns = namespace() %}{% set ns._x = 1 %}", {}),
    ("error_namespace_underscore_init", "{% set ns = namespace(_secret=1) %}", {}),
    ("error_division_by_zero", "{{ 1 / 0 }}", {}),
    ("error_floor_division_by_zero", "{{ 1 // 0 }}", {}),
    ("error_modulo_by_zero", "{{ 1 % 0 }}", {}),
    ("error_unpack", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("error_range_too_big", "{{ range(1000000) | length }}", {}),
    ("error_not_callable", "{{ n() }}", V),
    ("error_int_not_iterable", "{% for x in n %}{% endfor %}", V),
    ("error_string_index_method", "{{ s.index('zz') }}", V),
    ("error_set_non_namespace", "{% set x = 1 %}{% set x.y = 2 %}", {}),
    ("error_unknown_filter", "{{ x | nosuchfilter }}", {}),
    ("error_unknown_test", "{{ x is nosuchtest }}", {}),
    ("error_syntax_unclosed_if", "{% if true %}x", {}),
    ("error_syntax_bad_expression", "{{ 1 + }}", {}),
    ("error_syntax_unknown_tag", "{% frobnicate %}", {}),
    ("error_syntax_unclosed_string", "{{ 'abc }}", {}),
    ("error_syntax_endfor_without_for", "{% endfor %}", {}),
]


def main():
    out = os.path.join(HERE, "Fixtures", "cases.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for name, template, variables in CASES:
            row = {"name": name, "template": template, "variables": variables}
            try:
                row["text"] = _compile_jinja_template(template).render(**variables)
            except Exception as e:  # what a renderer must refuse, with the same message
                row["error"] = f"{type(e).__name__}: {e}"
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases -> {out}")


if __name__ == "__main__":
    main()
