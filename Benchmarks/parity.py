#!/usr/bin/env python3
"""Encode a whole JSONL corpus with Ingot (`pipeline encode`) and with the reference library, and
report how many documents get identical ids, and the first one that differs.

    python3 Benchmarks/parity.py --pipeline .build/release/pipeline --tokenizer T.json --corpus C.jsonl
Needs `pip install tokenizers`. Reference call: Tokenizer.from_file(T).encode(text, add_special_tokens=False).
"""
import argparse, json, subprocess, sys

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pipeline", required=True)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--field", default="text")
    a = p.parse_args()
    from tokenizers import Tokenizer
    ref = Tokenizer.from_file(a.tokenizer)
    ref.no_truncation(); ref.no_padding()
    with open(a.corpus, "rb") as f:
        ours = subprocess.run([a.pipeline, "encode", "--tokenizer", a.tokenizer, "--field", a.field],
                              stdin=f, capture_output=True, check=True).stdout.decode().splitlines()
    texts = [json.loads(l)[a.field] for l in open(a.corpus, encoding="utf-8") if l.strip()]
    assert len(texts) == len(ours), (len(texts), len(ours))
    same, first = 0, None
    for i, (text, line) in enumerate(zip(texts, ours)):
        expected = ref.encode(text, add_special_tokens=False).ids
        got = json.loads(line)["ids"]
        if got == expected:
            same += 1
        elif first is None:
            k = next((j for j, (x, y) in enumerate(zip(got, expected)) if x != y), min(len(got), len(expected)))
            first = {"document": i + 1, "token": k, "ours": got[max(0, k - 3):k + 5], "reference": expected[max(0, k - 3):k + 5]}
    print(json.dumps({"corpus": a.corpus, "documents": len(texts), "identical": same,
                      "identical_pct": round(100 * same / len(texts), 3), "first_difference": first}))
    sys.exit(0 if same == len(texts) else 1)

if __name__ == "__main__":
    main()
