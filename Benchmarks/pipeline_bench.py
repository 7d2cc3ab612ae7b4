#!/usr/bin/env python3
"""Whole-process figures for `pipeline run pretrain`, each next to its reference in one session.

  one-core  `taskset -c 0 pipeline run pretrain --workers 1` (start-up, reading, tokenizing,
            packing, compressing, checksums, fsync) against tiktoken's bare `encode_ordinary`
            on the same texts (built from the same tokenizer.json by ../shared/bench/peers.py),
            alternated, median of --repeat.
  scaling   the same run with 1 and with 2 workers on each corpus, alternated: the speed-up, and the
            CPU time of each and the core time a 2-worker run leaves idle (2 x wall - CPU: its
            start, its end, its waits), which is what holds the speed-up below 2x.
            Beside it, the machine's own two-core speed-up for this work: two 1-worker processes
            on the corpus's halves, one after the other against both at once (one per core).
            Two independent processes share nothing but the machine (its caches and memory, the
            host's other tenants): their speed-up is what two cores give this work here with no
            coordination at all (each still loads its tokenizer and starts cold).
  start-up  a one-line input, per tokenizer: the time to the first (and only) row, whole process.
  encode    the whole `pipeline encode` command (JSONL on stdin, ids as JSON lines to /dev/null),
            on every core and with --workers 1, against tiktoken's `encode_ordinary` (one thread)
            and `encode_ordinary_batch` (as many threads as cores) on the same texts, alternated.

Every Ingot figure is a fresh process (tokenizer loaded, encoder caches empty: cold); the page
cache is warm (the files were read before). Release build:

  swift build -c release --product pipeline
  python3 Benchmarks/pipeline_bench.py --pipeline .build/release/pipeline \
      --tokenizer Samples/tokenizers/gpt2/tokenizer.json --one-core /tmp/en10.jsonl \
      --scaling /tmp/en20.jsonl /tmp/corpus/en.jsonl \
      --start-up Samples/tokenizers/gpt2/tokenizer.json ../shared/tokenizers/llama3-8b/tokenizer.json \
      --encode /tmp/en10.jsonl
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, stdin=None):
    """Wall seconds of a child process (its output discarded); raises if it fails."""
    return run_timed(cmd, stdin)[0]


def run_timed(cmd, stdin=None):
    """Wall seconds and CPU seconds (user + system, all its threads) of a child process."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_utime + usage.ru_stime


class Pipeline:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work

    def command(self, corpus, tokenizer, workers, out="out", core=None):
        out = os.path.join(self.work, out)
        shutil.rmtree(out, ignore_errors=True)
        cmd = [self.binary, "run", "pretrain", "--input", corpus, "--output", out, "--tokenizer", tokenizer,
               "--seq-len", "2048", "--workers", str(workers)]
        return (["taskset", "-c", str(core)] if core is not None else []) + cmd

    def pretrain(self, corpus, tokenizer, workers, pin=False):
        return run(self.command(corpus, tokenizer, workers, core=0 if pin else None))

    def pretrain_timed(self, corpus, tokenizer, workers):
        return run_timed(self.command(corpus, tokenizer, workers))

    def pretrain_together(self, corpora, tokenizer):
        """Wall seconds until 1-worker runs over `corpora`, started at once, one per core, are all done."""
        start = time.perf_counter()
        children = [subprocess.Popen(self.command(corpus, tokenizer, 1, out=f"out{core}", core=core),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    for core, corpus in enumerate(corpora)]
        statuses = [child.wait() for child in children]
        elapsed = time.perf_counter() - start
        if any(statuses):
            raise SystemExit(f"failed: {corpora}")
        return elapsed


def halves(corpus, work):
    """The corpus cut into two files of about half its bytes each, at a line end."""
    half = os.path.getsize(corpus) / 2
    paths = [os.path.join(work, "first-half.jsonl"), os.path.join(work, "second-half.jsonl")]
    with open(corpus, "rb") as source, open(paths[0], "wb") as first, open(paths[1], "wb") as second:
        taken = 0
        for line in source:
            (first if taken < half else second).write(line)
            taken += len(line)
    return paths


def fmt(values):
    return f"{statistics.median(values):.3f} s (" + ", ".join(f"{v:.3f}" for v in values) + ")"


def one_core(a, pipeline):
    sys.path.insert(0, a.peers)
    from peers import read_texts, tiktoken_from_tokenizer_json
    texts, nbytes = read_texts(a.one_core)
    encoding = tiktoken_from_tokenizer_json(a.tokenizer)
    os.sched_setaffinity(0, {0})  # tiktoken on the core Ingot gets
    ours, peer = [], []
    for _ in range(a.repeat):
        ours.append(pipeline.pretrain(a.one_core, a.tokenizer, 1, pin=True))
        start = time.perf_counter()
        for text in texts:
            encoding.encode_ordinary(text)
        peer.append(time.perf_counter() - start)
    os.sched_setaffinity(0, set(range(os.cpu_count())))
    ratio = statistics.median(peer) / statistics.median(ours)
    print(f"## one core: {a.one_core}, {len(texts)} documents, {nbytes / 1e6:.1f} MB of text")
    print(f"ingot pipeline run pretrain (whole process, 1 worker, taskset -c 0): {fmt(ours)}")
    print(f"tiktoken encode_ordinary (the same texts, in process, bare encode):  {fmt(peer)}")
    print(f"ingot / tiktoken: {ratio:.2f}x")
    return {"one_core_ratio": round(ratio, 2)}


def scaling(a, pipeline):
    results = {}
    for corpus in a.scaling:
        parts = halves(corpus, pipeline.work)
        one, two, apart, together, cpu_one, cpu_two = [], [], [], [], [], []
        for _ in range(a.repeat):
            for times, cpus, workers in ((one, cpu_one, 1), (two, cpu_two, 2)):
                wall, cpu = pipeline.pretrain_timed(corpus, a.tokenizer, workers)
                times.append(wall)
                cpus.append(cpu)
            apart.append(sum(pipeline.pretrain(part, a.tokenizer, 1) for part in parts))
            together.append(pipeline.pretrain_together(parts, a.tokenizer))
        ratio = statistics.median(one) / statistics.median(two)
        rounds = sorted(x / y for x, y in zip(one, two))
        # The machine's speed drifts from run to run (other tenants): the quartiles of the
        # per-round ratios show how far one batch's median can be trusted.
        quartiles = statistics.quantiles(rounds, n=4) if len(rounds) > 1 else rounds * 3
        machine = statistics.median(apart) / statistics.median(together)
        print(f"## scaling: {corpus} ({os.path.getsize(corpus) / 1e6:.1f} MB)")
        print(f"1 worker:  {fmt(one)}")
        print(f"2 workers: {fmt(two)}")
        print(f"speed-up: {ratio:.2f}x (per-round ratios: median {statistics.median(rounds):.2f}x, "
              f"quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}x, {sum(r >= 1.85 for r in rounds)} of {len(rounds)} rounds at 1.85x or more)")
        print(f"two 1-worker processes on the halves, one after the other: {fmt(apart)}")
        print(f"the same two at once, one per core:                          {fmt(together)}")
        print(f"the machine's two-core speed-up for this work: {machine:.2f}x "
              f"(per round {statistics.median(x / y for x, y in zip(apart, together)):.2f}x); "
              f"2 workers against the halves at once: {statistics.median(together) / statistics.median(two):.2f}x")
        # T2 = (C2 + I) / 2, with C2 the two-worker run's CPU time and I the core time it leaves
        # idle (start, end, waits): the speed-up is 2 T1 / (C2 + I).
        idle = statistics.median(2 * w - c for w, c in zip(two, cpu_two))
        budget = 2 * statistics.median(one) / 1.85
        print(f"CPU time: 1 worker {statistics.median(cpu_one):.3f} s, 2 workers {statistics.median(cpu_two):.3f} s; "
              f"idle core time of a 2-worker run (2 x wall - CPU): {1000 * idle:.0f} ms; "
              f"1.85x allows {budget:.3f} s of core time (CPU + idle) where it takes {2 * statistics.median(two):.3f} s")
        results[corpus] = {"speed_up": round(ratio, 2), "per_round": round(statistics.median(rounds), 2), "machine": round(machine, 2),
                           "idle_ms": round(1000 * idle)}
    return {"scaling": results}


def start_up(a, pipeline):
    line = os.path.join(pipeline.work, "one.jsonl")
    corpus = a.one_core or a.encode or next(iter(a.scaling), None)
    if corpus is None:
        raise SystemExit("--start-up takes its one line from --one-core, --encode or --scaling: name one")
    with open(corpus) as source, open(line, "w") as target:
        target.write(source.readline())
    results = {}
    for tokenizer in a.start_up:
        times = [pipeline.pretrain(line, tokenizer, 2) for _ in range(a.repeat)]
        print(f"## start-up, one-line input, whole process: {tokenizer}: {fmt(times)}")
        results[tokenizer] = round(statistics.median(times), 3)
    return {"start_up": results}


def encode(a, pipeline):
    sys.path.insert(0, a.peers)
    from peers import read_texts, tiktoken_from_tokenizer_json
    texts, nbytes = read_texts(a.encode)
    encoding = tiktoken_from_tokenizer_json(a.tokenizer)
    cores = os.cpu_count()
    every, one, single, batch = [], [], [], []
    for _ in range(a.repeat):
        for workers, times in ((None, every), (1, one)):
            with open(a.encode, "rb") as stdin:
                extra = [] if workers is None else ["--workers", str(workers)]
                times.append(run([pipeline.binary, "encode", "--tokenizer", a.tokenizer] + extra, stdin=stdin))
        start = time.perf_counter()
        for text in texts:
            encoding.encode_ordinary(text)
        single.append(time.perf_counter() - start)
        start = time.perf_counter()
        encoding.encode_ordinary_batch(texts, num_threads=cores)
        batch.append(time.perf_counter() - start)
    m = statistics.median
    print(f"## encode: {a.encode}, {len(texts)} documents, {nbytes / 1e6:.1f} MB of text, {cores} cores")
    print(f"ingot pipeline encode (whole command, every core):       {fmt(every)}")
    print(f"ingot pipeline encode --workers 1 (whole command):       {fmt(one)}")
    print(f"tiktoken encode_ordinary (in process, one thread):       {fmt(single)}")
    print(f"tiktoken encode_ordinary_batch (in process, {cores} threads):  {fmt(batch)}")
    print(f"every core: {m(single) / m(every):.2f}x tiktoken's one thread, {m(batch) / m(every):.2f}x its batch; "
          f"one worker: {m(single) / m(one):.2f}x tiktoken's one thread")
    return {"encode": {"vs_one_thread": round(m(single) / m(every), 2), "vs_batch": round(m(batch) / m(every), 2),
                       "one_worker_vs_one_thread": round(m(single) / m(one), 2)}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pipeline", required=True)
    parser.add_argument("--tokenizer", required=True, help="a byte-level BPE tokenizer.json (tiktoken is built from it)")
    parser.add_argument("--one-core", help="JSONL corpus for the one-core comparison")
    parser.add_argument("--scaling", nargs="*", default=[], help="JSONL corpora for 1 vs 2 workers")
    parser.add_argument("--start-up", nargs="*", default=[], help="tokenizers whose start-up to time")
    parser.add_argument("--encode", help="JSONL corpus for `pipeline encode` against tiktoken")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peers", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    a = parser.parse_args()
    work = tempfile.mkdtemp(prefix="pipeline-bench-")
    pipeline = Pipeline(os.path.abspath(a.pipeline), work)
    summary = {}
    try:
        for corpus in [a.one_core, a.encode] + a.scaling:
            if corpus:
                with open(corpus, "rb") as f:  # warm the page cache
                    while f.read(1 << 24):
                        pass
        if a.one_core:
            summary.update(one_core(a, pipeline))
        if a.scaling:
            summary.update(scaling(a, pipeline))
        if a.start_up:
            summary.update(start_up(a, pipeline))
        if a.encode:
            summary.update(encode(a, pipeline))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
