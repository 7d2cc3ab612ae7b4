#!/usr/bin/env python3
"""`pipeline run sft` against HuggingFace on the same chat corpus, in one run.

The peer is what a fine-tuning script does with HuggingFace alone: `datasets.load_dataset("json")`,
then `Dataset.map(num_proc=WORKERS)` rendering each conversation with the tokenizer's
`apply_chat_template` (transformers' renderer) and tokenizing it, then `save_to_disk`. Two
variants:

  hf-tokenize   apply_chat_template(tokenize=True), padded and truncated to SEQ_LEN: no mask
  hf-mask       the same plus the assistant-only mask Ingot writes, by the rule of
                ../shared/chat/make_oracle.py (prefix renders and token offsets), as labels

Ingot does the work of hf-mask (and writes compressed shards). Each tool runs REPEAT times, the
median wall time is reported, with the ratio; the corpus file is in the page cache (warm) for
all, and every run includes its process start (Python imports, tokenizer and template loading).

    python3 Benchmarks/sft_bench.py --pipeline .build/release/pipeline --corpus /tmp/chat20k.jsonl \
        --tokenizer ../shared/tokenizers/llama3-8b/tokenizer.json --template ../shared/chat/templates/llama3.jinja \
        --bos '<|begin_of_text|>' --eos '<|eot_id|>'
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PEER = r'''
import sys, time
start = time.time()
from datasets import load_dataset
from transformers import PreTrainedTokenizerFast
from transformers.utils.chat_template_utils import render_jinja_template
corpus, tokenizer_file, template_file, bos, eos, seq_len, workers, mode, out = sys.argv[1:]
seq_len, workers = int(seq_len), int(workers)
tok = PreTrainedTokenizerFast(tokenizer_file=tokenizer_file, bos_token=bos, eos_token=eos, pad_token=eos)
tok.chat_template = open(template_file, encoding="utf-8").read()

def render(messages, agp):
    out = render_jinja_template(conversations=[messages], chat_template=tok.chat_template, add_generation_prompt=agp,
                                bos_token=bos, eos_token=eos)
    out = out[0] if isinstance(out, tuple) else out
    return out[0] if isinstance(out, list) else out

def example(ex):
    messages = ex["messages"]
    full = render(messages, False)
    enc = tok(full, add_special_tokens=False, return_offsets_mapping=(mode == "hf-mask"))
    ids = enc["input_ids"][:seq_len]
    labels = list(ids)
    if mode == "hf-mask":
        spans = []
        for k, m in enumerate(messages):
            if m["role"] != "assistant":
                continue
            before = render(messages[:k], True) if k else ""
            upto = render(messages[:k + 1], False)
            spans.append((len(before), len(upto)))
        mask = [int(any(ts < e and b < te for b, e in spans)) for ts, te in enc["offset_mapping"][:seq_len]]
        labels = [i if m else -100 for i, m in zip(ids, mask)]
    pad = seq_len - len(ids)
    return {"input_ids": ids + [tok.pad_token_id] * pad, "attention_mask": [1] * len(ids) + [0] * pad,
            "labels": labels + [-100] * pad}

ds = load_dataset("json", data_files=corpus, split="train")
ds = ds.map(example, num_proc=workers, remove_columns=ds.column_names)
ds.save_to_disk(out)
print(f"{len(ds)} rows in {time.time() - start:.2f} s", file=sys.stderr)
'''


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipeline", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--bos", required=True)
    ap.add_argument("--eos", required=True)
    ap.add_argument("--seq-len", type=int, default=2048)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peers", default="hf-tokenize,hf-mask")
    ap.add_argument("--ingot-variants", default="default;--partition-mb 4",
                    help="';'-separated extra arguments for Ingot's runs, one variant each ('default' for none)")
    a = ap.parse_args()
    scratch = tempfile.mkdtemp(prefix="sft-bench-")
    peer = os.path.join(scratch, "peer.py")
    with open(peer, "w") as f:
        f.write(PEER)
    size = os.path.getsize(a.corpus) / 1e6
    results = {}
    try:
        for _ in range(a.repeat):
            for variant in a.ingot_variants.split(";"):
                extra = [] if variant == "default" else variant.split()
                out = os.path.join(scratch, "ingot")
                results.setdefault(f"ingot {variant}" if extra else "ingot", []).append(timed([
                    a.pipeline, "run", "sft", "--input", a.corpus, "--tokenizer", a.tokenizer, "--chat-template", a.template,
                    "--bos-token", a.bos, "--eos-token", a.eos, "--seq-len", str(a.seq_len), "--workers", str(a.workers),
                    "--output", out, "--overwrite", *extra]))
            for mode in a.peers.split(","):
                out = os.path.join(scratch, mode)
                shutil.rmtree(out, ignore_errors=True)
                env = dict(os.environ, HF_DATASETS_CACHE=os.path.join(scratch, "cache"), TOKENIZERS_PARALLELISM="false")
                results.setdefault(mode, []).append(timed([
                    sys.executable, peer, a.corpus, a.tokenizer, a.template, a.bos, a.eos, str(a.seq_len), str(a.workers), mode, out],
                    env=env))
                shutil.rmtree(os.path.join(scratch, "cache"), ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    fastest = min(statistics.median(times) for name, times in results.items() if name.startswith("ingot"))
    print(f"corpus {a.corpus}: {size:.1f} MB; seq_len {a.seq_len}; {a.workers} workers; median of {a.repeat}")
    print("| tool | seconds (median) | runs | MB/s | the fastest Ingot faster by |")
    print("|---|---|---|---|---|")
    for name, times in results.items():
        m = statistics.median(times)
        print(f"| {name} | {m:.2f} | {', '.join(f'{t:.2f}' for t in times)} | {size / m:.2f} | {m / fastest:.1f}x |")


if __name__ == "__main__":
    main()
