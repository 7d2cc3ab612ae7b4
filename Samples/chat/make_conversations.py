#!/usr/bin/env python3
"""Writes conversations.jsonl: the sample chat data `pipeline run sft` reads when no --input is
given. Deterministic (seeded): the same corpus gives the same file.

A few hand-written conversations (a system prompt, several turns, a tool call, content parts,
a conversation ending with the user), then 200 whose turns are paragraphs of the bundled
sample corpus (../corpus/sample-en.jsonl), in the `messages` shape.

    python Samples/chat/make_conversations.py
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def paragraphs():
    out = []
    with open(os.path.join(HERE, "..", "corpus", "sample-en.jsonl"), encoding="utf-8") as f:
        for line in f:
            for p in json.loads(line)["text"].split("\n\n"):
                p = p.strip()
                if 40 <= len(p) <= 1500:
                    out.append(p)
    return out


def handwritten():
    m = lambda role, content, **extra: {"role": role, "content": content, **extra}
    yield [m("system", "You are a concise assistant."), m("user", "What does zstd stand for?"),
           m("assistant", "Zstandard, a lossless compression algorithm.")]
    yield [m("user", "Give me a haiku about packing."), m("assistant", "Rows of equal length,\nno token left ragged here,\nthe batch finds its shape."),
           m("user", "Now one about padding."), m("assistant", "Zeros fill the gap,\nmasked so the loss never learns\nsilence as a word.")]
    yield [m("user", [{"type": "text", "text": "Summarize: "}, {"type": "text", "text": "Ingot writes fixed-length token shards."}]),
           m("assistant", "It turns text into uniform rows a trainer can read.")]
    yield [m("user", "What is the weather in Lyon?"),
           {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Lyon"}}}]},
           m("tool", "{\"temperature\": 14}", name="get_weather"), m("assistant", "It is 14 °C in Lyon.")]
    yield [m("user", "Is this the last message?"), m("assistant", "No."), m("user", "And this one?")]


def main():
    rng = random.Random(20261130)
    paras = paragraphs()
    rows = [{"messages": msgs} for msgs in handwritten()]
    for _ in range(200):
        msgs = []
        if rng.random() < 0.3:
            msgs.append({"role": "system", "content": rng.choice(paras)[:300]})
        for _ in range(rng.randint(1, 3)):
            msgs.append({"role": "user", "content": rng.choice(paras)})
            msgs.append({"role": "assistant", "content": rng.choice(paras)})
        rows.append({"messages": msgs})
    with open(os.path.join(HERE, "conversations.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} conversations")


if __name__ == "__main__":
    main()
