#!/usr/bin/env python3
"""Parquet input against pyarrow and against the same corpus as JSON Lines, in one session.

    python3 Benchmarks/parquet_bench.py CORPUS.jsonl [WORK_DIR]

Writes CORPUS as Parquet the way the Hub's files are (pyarrow, snappy, dictionary, row groups of
1,000 rows), then prints one JSON line per measurement:
- read: the text column into per-document strings, one thread. pyarrow: `read_table(columns=
  ["text"])` + `to_pylist()`; Ingot: `ingot-bench parquet` (pages decoded, rows assembled, the field
  extracted as a pipeline's ReadCorpus gets it). Median of 5 after a first pass (also printed).
- run: `pipeline run pretrain` end to end (whole process, GPT-2, 2048-token rows, 2 workers) on the
  Parquet file and on the JSONL file, alternated, median of 5.
Warm page cache (the files were just written or read); release builds (`swift build -c release`
in the repository and in Benchmarks/).
"""
import json
import os
import statistics
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    corpus = os.path.abspath(sys.argv[1])
    work = sys.argv[2] if len(sys.argv) > 2 else "/tmp/ingot-parquet-bench"
    os.makedirs(work, exist_ok=True)
    parquet = os.path.join(work, os.path.basename(corpus).replace(".jsonl", ".parquet"))
    rows = [json.loads(line) for line in open(corpus, "rb")]
    pq.write_table(pa.Table.from_pylist([{"text": r["text"]} for r in rows]), parquet, compression="snappy", row_group_size=1000)
    text_mb = sum(len(r["text"].encode()) for r in rows) / 1e6
    print(json.dumps({"corpus": corpus, "documents": len(rows), "text_MB": round(text_mb, 1), "jsonl_MB": round(os.path.getsize(corpus) / 1e6, 1),
                      "parquet_MB": round(os.path.getsize(parquet) / 1e6, 1), "row_groups": pq.ParquetFile(parquet).num_row_groups}))

    times = []
    for _ in range(6):
        start = time.perf_counter()
        texts = pq.read_table(parquet, columns=["text"], use_threads=False).column("text").to_pylist()
        times.append(time.perf_counter() - start)
    assert len(texts) == len(rows)
    median = statistics.median(times[1:])
    print(json.dumps({"reader": "pyarrow", "first_s": round(times[0], 3), "seconds": round(median, 3), "MB_per_s": round(text_mb / median, 1)}))
    bench = os.path.join(HERE, ".build", "release", "ingot-bench")
    print(subprocess.run([bench, "parquet", parquet, "text"], capture_output=True, text=True, check=True).stdout.strip())

    pipeline = os.path.join(ROOT, ".build", "release", "pipeline")
    runs = {"parquet": [], "jsonl": []}
    for _ in range(5):
        for name, path in (("parquet", parquet), ("jsonl", corpus)):
            start = time.perf_counter()
            subprocess.run([pipeline, "run", "pretrain", "--input", path, "--output", os.path.join(work, "out-" + name), "--overwrite",
                            "--workers", "2"], check=True, capture_output=True)
            runs[name].append(time.perf_counter() - start)
    for name, values in runs.items():
        print(json.dumps({"run": name, "seconds": round(statistics.median(values), 3), "all": [round(v, 3) for v in values]}))
    print(json.dumps({"parquet_over_jsonl": round(statistics.median(runs["parquet"]) / statistics.median(runs["jsonl"]), 3)}))


if __name__ == "__main__":
    main()
