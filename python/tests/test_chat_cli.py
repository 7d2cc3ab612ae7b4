"""`pipeline render` and `pipeline encode --chat-template` against transformers' oracles in
../shared/chat: every template x conversation x add_generation_prompt renders byte for byte as
transformers renders it (or is refused with the same message), and for the four template +
tokenizer pairs every conversation gets transformers' ids and make_oracle.py's loss mask (or is
refused where the oracle gives none). One output line per input line, the stream going on past
refusals.
"""
import json
import os
import subprocess

import pytest

from conftest import ROOT, pipeline_binary

SHARED = os.environ.get("INGOT_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
CHAT = os.path.join(SHARED, "chat")
if not os.path.isdir(CHAT) and os.environ.get("INGOT_REQUIRE_SHARED") != "1":
    pytest.skip(f"needs the shared fixtures in {SHARED} (or $INGOT_SHARED), which this clone does not have",
                allow_module_level=True)

# The day transformers rendered the oracle on (templates that print today's date printed it).
ORACLE_DAY = "2026-11-29"


def read_jsonl(name):
    with open(os.path.join(CHAT, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def templates():
    return sorted(name[:-len(".jinja")] for name in os.listdir(os.path.join(CHAT, "templates")) if name.endswith(".jinja"))


def pairs():
    with open(os.path.join(CHAT, "pairs.json"), encoding="utf-8") as f:
        return json.load(f)


def template_arguments(template):
    with open(os.path.join(CHAT, "templates.json"), encoding="utf-8") as f:
        variables = json.load(f)
    tokens = variables.get(template, variables["default"])
    arguments = ["--chat-template", os.path.join(CHAT, "templates", f"{template}.jinja"),
                 "--date-string", "26 Jul 2024", "--now", ORACLE_DAY]
    for name in ("bos_token", "eos_token"):
        if tokens.get(name) is not None:
            arguments += [f"--{name.replace('_', '-')}", tokens[name]]
    return arguments


def run_lines(arguments):
    with open(os.path.join(CHAT, "conversations.jsonl"), "rb") as conversations:
        result = subprocess.run([pipeline_binary(), *arguments], stdin=conversations, capture_output=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


@pytest.mark.parametrize("template", templates())
def test_render_matches_transformers(template):
    ids = [conversation["id"] for conversation in read_jsonl("conversations.jsonl")]
    oracle = {(row["conversation"], row["add_generation_prompt"]): row
              for row in read_jsonl("oracle_render.jsonl") if row["template"] == template}
    for generation_prompt in (False, True):
        lines = run_lines(["render", *template_arguments(template)] + (["--add-generation-prompt"] if generation_prompt else []))
        assert len(lines) == len(ids)
        differences = []
        for conversation, line in zip(ids, lines):
            expected = oracle[(conversation, generation_prompt)]
            if "text" in expected:
                if line.get("text") != expected["text"]:
                    differences.append(f"{conversation}: {line!r:.200} != {expected['text']!r:.200}")
            elif line.get("error") != expected["error"]:
                differences.append(f"{conversation}: {line!r:.200}, transformers refused: {expected['error']!r}")
        assert not differences, f"{len(differences)} of {len(ids)} differ (add_generation_prompt={generation_prompt}):\n" + "\n".join(differences[:5])


@pytest.mark.parametrize("pair", pairs(),
                         ids=lambda pair: f"{pair['template']}+{pair['tokenizer']}")
def test_encode_matches_transformers(pair):
    ids = [conversation["id"] for conversation in read_jsonl("conversations.jsonl")]
    tokenizer = os.path.join(SHARED, "tokenizers", pair["tokenizer"], "tokenizer.json")
    lines = dict(zip(ids, run_lines(["encode", "--tokenizer", tokenizer, *template_arguments(pair["template"])])))
    assert len(lines) == len(ids)
    rows = [row for row in read_jsonl("oracle_tokens.jsonl")
            if row["template"] == pair["template"] and row["tokenizer"] == pair["tokenizer"]]
    assert len(rows) > 100
    differences, masks = [], 0
    for row in rows:
        line = lines[row["conversation"]]
        if "mask" in row:
            masks += 1
            if line.get("ids") != row["ids"] or line.get("loss_mask") != row["mask"]:
                differences.append(f"{row['conversation']}: {line!r:.200}")
        elif "error" not in line:
            differences.append(f"{row['conversation']}: masked, the oracle refused: {row.get('mask_error')}")
        elif row.get("mask_error") == "not prefix-stable" and "prefix" not in line["error"]:
            differences.append(f"{row['conversation']}: refused with {line['error']!r}, the oracle: not prefix-stable")
    assert masks > 80
    assert not differences, f"{len(differences)} of {len(rows)} differ:\n" + "\n".join(differences[:5])
