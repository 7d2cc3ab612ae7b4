#!/usr/bin/env python3
"""Encode a whole JSONL corpus with Ingot (`pipeline encode`) and with the reference library, and
report how many documents get identical ids, and the first one that differs.

    python3 Benchmarks/parity.py --pipeline .build/release/pipeline --tokenizer T.json --corpus C.jsonl
Needs `pip install tokenizers tiktoken sentencepiece mistral-common`. Reference calls, by file:
- tokenizer.json: Tokenizer.from_file(T).encode(text, add_special_tokens=False);
- *.tiktoken: tiktoken's encode_ordinary with the encoding the file name names (Ingot then runs with
  --split-special-tokens, as encode_ordinary treats special-token strings as text);
- SentencePiece *.model: SentencePieceProcessor(model_file=T).encode(text);
- tekken*.json: mistral-common's Tekkenizer.from_file(T).encode(text, bos=False, eos=False).
"""
import argparse, json, os, subprocess, sys

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pipeline", required=True)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--field", default="text")
    a = p.parse_args()
    extra = []
    if a.tokenizer.endswith(".tiktoken"):
        import tiktoken
        from tiktoken.load import load_tiktoken_bpe
        name = os.path.basename(a.tokenizer).split(".")[0]
        if name != "cl100k_base":
            sys.exit(f"parity.py knows the split pattern of cl100k_base only, not {name}")
        # tiktoken's published cl100k_base pattern; ranks from the local file (no download).
        pattern = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
        enc = tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=load_tiktoken_bpe(a.tokenizer), special_tokens={})
        reference = enc.encode_ordinary
        extra = ["--split-special-tokens"]
    elif ".model" in os.path.basename(a.tokenizer):
        import sentencepiece
        reference = sentencepiece.SentencePieceProcessor(model_file=a.tokenizer).encode
    elif os.path.basename(a.tokenizer).startswith("tekken"):
        from mistral_common.tokens.tokenizers.tekken import Tekkenizer
        tekken = Tekkenizer.from_file(a.tokenizer)
        reference = lambda text: tekken.encode(text, bos=False, eos=False)
    else:
        from tokenizers import Tokenizer
        ref = Tokenizer.from_file(a.tokenizer)
        ref.no_truncation(); ref.no_padding()
        reference = lambda text: ref.encode(text, add_special_tokens=False).ids
    with open(a.corpus, "rb") as f:
        ours = subprocess.run([a.pipeline, "encode", "--tokenizer", a.tokenizer, "--field", a.field, *extra],
                              stdin=f, capture_output=True, check=True).stdout.decode().splitlines()
    texts = [json.loads(l)[a.field] for l in open(a.corpus, encoding="utf-8") if l.strip()]
    assert len(texts) == len(ours), (len(texts), len(ours))
    same, first = 0, None
    for i, (text, line) in enumerate(zip(texts, ours)):
        expected = reference(text)
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
