#!/usr/bin/env python3
"""Single-thread encode throughput of the reference library for a tokenizer file, on the first MB
of a JSONL corpus: the peer figure next to `ingot-bench tokenize` for files `peers.py tokenize`
does not cover (SentencePiece .model, Mistral tekken*.json, Unigram/WordPiece tokenizer.json).

    python3 Benchmarks/peer_speed.py TOKENIZER CORPUS.jsonl [MB]

Prints one JSON line per library: median of 3 passes, MB/s of UTF-8 input and Mtok/s.
- tokenizer.json: HuggingFace tokenizers, one thread (RAYON_NUM_THREADS=1, encode per document);
- *.model: sentencepiece's encode per document;
- tekken*.json: tiktoken with the file's ranks and pattern (what mistral-common calls), and
  mistral-common's own encode.
"""
import json, os, statistics, sys, time

os.environ["RAYON_NUM_THREADS"] = "1"


def read_texts(corpus, mb):
    texts, total = [], 0
    with open(corpus, "rb") as f:
        for line in f:
            t = json.loads(line)["text"]
            texts.append(t)
            total += len(t.encode("utf-8"))
            if total >= mb * 1e6:
                break
    return texts, total


def measure(name, encode, texts, nbytes):
    times, tokens = [], 0
    for _ in range(3):
        start = time.perf_counter()
        tokens = sum(len(encode(t)) for t in texts)
        times.append(time.perf_counter() - start)
    t = statistics.median(times)
    print(json.dumps({"tool": name, "documents": len(texts), "MB": round(nbytes / 1e6, 1), "seconds": round(t, 3),
                      "MB_per_s": round(nbytes / 1e6 / t, 2), "Mtok_per_s": round(tokens / 1e6 / t, 3)}))


def main():
    path, corpus = sys.argv[1], sys.argv[2]
    texts, nbytes = read_texts(corpus, float(sys.argv[3]) if len(sys.argv) > 3 else 10)
    base = os.path.basename(path)
    if ".model" in base:
        import sentencepiece
        sp = sentencepiece.SentencePieceProcessor(model_file=path)
        measure("sentencepiece", sp.encode, texts, nbytes)
    elif base.startswith("tekken"):
        import base64, tiktoken
        from mistral_common.tokens.tokenizers.tekken import Tekkenizer
        spec = json.load(open(path, encoding="utf-8"))
        inner = spec["config"]["default_vocab_size"] - spec["config"]["default_num_special_tokens"]
        ranks = {base64.b64decode(v["token_bytes"]): v["rank"] for v in spec["vocab"] if v["rank"] < inner}
        enc = tiktoken.Encoding(name="tekken", pat_str=spec["config"]["pattern"], mergeable_ranks=ranks, special_tokens={})
        measure("tiktoken (tekken ranks)", enc.encode_ordinary, texts, nbytes)
        tekken = Tekkenizer.from_file(path)
        measure("mistral-common", lambda t: tekken.encode(t, bos=False, eos=False), texts, nbytes)
    else:
        from tokenizers import Tokenizer
        hf = Tokenizer.from_file(path)
        hf.no_truncation()
        hf.no_padding()
        measure("hf-tokenizers", lambda t: hf.encode(t, add_special_tokens=False).ids, texts, nbytes)


if __name__ == "__main__":
    main()
