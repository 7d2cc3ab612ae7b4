#!/usr/bin/env python3
"""Reader throughput of the Python reader, next to raw numpy.memmap, on the same rows.

    python3 Benchmarks/reader_bench.py ZSTD_DATASET RAW_DATASET [--rows N]
ZSTD_DATASET and RAW_DATASET hold the same rows (`pipeline run ... --compression zstd|none`).
Prints one JSON line per measurement; medians of 3 runs.
"""
import argparse, json, os, statistics, time

import numpy as np

import ingot


def consume(get, order):
    for i in order:
        get(int(i))


def median_rate(fn, count, repeats=3):
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        rates.append(count / (time.perf_counter() - t))
    return statistics.median(rates)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("zstd_dataset")
    p.add_argument("raw_dataset")
    p.add_argument("--samples", type=int, default=20000)
    a = p.parse_args()
    zs, raw = ingot.Dataset(a.zstd_dataset), ingot.Dataset(a.raw_dataset)
    n, seq = len(zs), zs.seq_len
    order = np.random.default_rng(0).integers(0, n, a.samples)
    sizes = {name: sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.startswith("part-") and "input_ids" in f)
             for name, d in (("zstd", a.zstd_dataset), ("raw", a.raw_dataset))}
    print(json.dumps({"rows": n, "seq_len": seq, "input_ids_MB_zstd": round(sizes["zstd"] / 1e6, 2),
                      "input_ids_MB_raw": round(sizes["raw"] / 1e6, 2)}))
    for name, ds in (("ingot-zstd", zs), ("ingot-raw", raw)):
        ds[0]  # open files, check sha256 once (not timed)
        cold = ingot.Dataset(ds.path, cache_frames=2)
        cold[0]
        rate_cold = median_rate(lambda: consume(cold.__getitem__, order), len(order))
        warm = ingot.Dataset(ds.path, cache_frames=1 << 20)
        consume(warm.__getitem__, range(n))
        rate_warm = median_rate(lambda: consume(warm.__getitem__, order), len(order))
        raw_rate = median_rate(lambda: consume(warm.raw, order), len(order))
        seq_bytes = n * seq * 2
        t = time.perf_counter()
        for i in range(n):
            cold.raw(i)
        seq_gbs = seq_bytes / (time.perf_counter() - t) / 1e9
        print(json.dumps({"reader": name, "random_rows_per_s_cold_cache": round(rate_cold),
                          "random_rows_per_s_warm_cache": round(rate_warm), "random_raw_rows_per_s_warm": round(raw_rate),
                          "sequential_GB_per_s": round(seq_gbs, 2)}))
    index = raw.index
    shard = index["shards"][0]
    mm = np.memmap(os.path.join(a.raw_dataset, shard["files"]["input_ids"]["file"]), dtype="<u2", mode="r").reshape(-1, seq)
    sub = order % len(mm)
    rate = median_rate(lambda: consume(lambda i: np.array(mm[i]), sub), len(sub))
    print(json.dumps({"reader": "numpy.memmap", "random_rows_per_s": round(rate)}))


if __name__ == "__main__":
    main()
