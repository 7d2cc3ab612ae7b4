#!/usr/bin/env python3
"""A chat corpus for benchmarks: N conversations (default 20,000) in the `messages` shape whose
turns are paragraphs of a real-text JSONL corpus (../shared/corpus/make-corpus.sh), seeded as
../shared/chat/make_conversations.py seeds its own: an optional system prompt, 1 to 4 user and
assistant turns. Deterministic for a given corpus and N.

    python3 Benchmarks/chat_corpus.py /tmp/corpus/en.jsonl /tmp/chat.jsonl [N]
"""
import json
import random
import sys


def main():
    source, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    paragraphs = []
    with open(source, encoding="utf-8") as f:
        for line in f:
            for p in json.loads(line)["text"].split("\n\n"):
                p = p.strip()
                if 20 <= len(p) <= 3000:
                    paragraphs.append(p)
    rng = random.Random(20261130)
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n):
            messages = []
            if rng.random() < 0.4:
                messages.append({"role": "system", "content": rng.choice(paragraphs)[:400]})
            for _ in range(rng.randint(1, 4)):
                messages.append({"role": "user", "content": rng.choice(paragraphs)})
                messages.append({"role": "assistant", "content": rng.choice(paragraphs)})
            f.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
    print(f"{n} conversations from {len(paragraphs)} paragraphs -> {out}")


if __name__ == "__main__":
    main()
