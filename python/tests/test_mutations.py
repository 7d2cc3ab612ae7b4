"""The mutation campaign: damage a dataset in 300 random ways and check that `pipeline verify`,
the Python reader and the C reader each refuse every damaged copy with a message (no crash, no
exception other than FormatError, never a wrong row); then edit values and re-seal the index's
checksum, as a careless tool would, and check that the values themselves are refused."""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess

import pytest

import ingot
from conftest import ROOT, pipeline_binary
from test_c_reader import c_reader  # noqa: F401  (the fixture that builds the C reader)

KINDS = ("flip", "truncate", "append", "delete", "swap_bytes", "swap_files", "number",
         "swap_columns", "drop_shard", "duplicate_shard", "reorder_shards")


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory):
    """A dataset of several partitions of several shards of several frames each."""
    base = tmp_path_factory.mktemp("mutations")
    corpus = base / "corpus.jsonl"
    with open(os.path.join(ROOT, "Samples", "corpus", "sample-en.jsonl"), encoding="utf-8") as src, open(corpus, "w") as dst:
        for i, line in enumerate(src):
            if i < 60:
                text = json.loads(line)["text"][:1500]
                dst.write(json.dumps({"text": text}) + "\n")
    out = {}
    for codec in ("zstd", "none"):
        directory = str(base / codec)
        subprocess.run([pipeline_binary(), "run", "pretrain", "--input", str(corpus), "--output", directory, "--seq-len", "64",
                        "--rows-per-shard", "40", "--rows-per-frame", "8", "--compression", codec, "--workers", "1"],
                       check=True, capture_output=True)
        out[codec] = directory
    return out


def read_all(directory):
    ds = ingot.Dataset(directory)
    return [ds.raw(i) for i in range(len(ds))]


def reseal(directory):
    """Recomputes index_sha256 after an edit, as a tool that rewrites the index would."""
    path = os.path.join(directory, "index.json")
    index = json.load(open(path))
    index["index_sha256"] = "0" * 64
    raw = (json.dumps(index, indent=2, sort_keys=True) + "\n").encode()
    index["index_sha256"] = hashlib.sha256(raw).hexdigest()
    raw = raw.replace(b'"' + b"0" * 64 + b'"', b'"' + index["index_sha256"].encode() + b'"', 1)
    open(path, "wb").write(raw)


def mutate(directory, kind, rng):
    """Applies one mutation; returns a description, or None when it would change nothing."""
    index_path = os.path.join(directory, "index.json")
    files = sorted(f for f in os.listdir(directory) if f.startswith("part-")) + ["index.json"]
    target = os.path.join(directory, rng.choice(files))
    data = bytearray(open(target, "rb").read())
    if kind in ("flip", "truncate", "append", "delete", "swap_bytes"):
        if kind == "flip":
            if not data:
                return None
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif kind == "truncate":
            if not data:
                return None
            data = data[:rng.randrange(len(data))]
        elif kind == "append":
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
        elif kind == "delete":
            if len(data) < 2:
                return None
            i = rng.randrange(len(data) - 1)
            del data[i:i + rng.randint(1, min(16, len(data) - i))]
        else:
            if len(data) < 8:
                return None
            i, j = sorted(rng.sample(range(len(data) - 3), 2))
            a, b = data[i:i + 4], data[j:j + 4]
            if a == b or j < i + 4:
                return None
            data[i:i + 4], data[j:j + 4] = b, a
        open(target, "wb").write(data)
        return f"{kind} {os.path.basename(target)}"
    if kind == "swap_files":
        shards = [f for f in files if f != "index.json"]
        a, b = rng.sample(shards, 2)
        if open(os.path.join(directory, a), "rb").read() == open(os.path.join(directory, b), "rb").read():
            return None
        os.rename(os.path.join(directory, a), os.path.join(directory, "tmp"))
        os.rename(os.path.join(directory, b), os.path.join(directory, a))
        os.rename(os.path.join(directory, "tmp"), os.path.join(directory, b))
        return f"swap files {a} {b}"
    text = open(index_path).read()
    if kind == "number":
        numbers = [m for m in re.finditer(r"(?<![\w.\"-])-?\d+(?![\w.\"])", text)]
        m = rng.choice(numbers)
        value = int(m.group())
        new = rng.choice([value + 1, value - 1, value * 2, -value - 1, value // 2, 0, 3_000_000_000])
        if new == value:
            return None
        open(index_path, "w").write(text[:m.start()] + str(new) + text[m.end():])
        return f"number {value} -> {new} at {m.start()}"
    index = json.loads(text)
    shards = index["shards"]
    if kind == "swap_columns":
        shard = rng.choice(shards)
        shard["files"]["input_ids"], shard["files"]["segment_ids"] = shard["files"]["segment_ids"], shard["files"]["input_ids"]
    elif kind == "drop_shard":
        shards.pop(rng.randrange(len(shards)))
    elif kind == "duplicate_shard":
        i = rng.randrange(len(shards))
        shards.insert(i, json.loads(json.dumps(shards[i])))
    else:
        i, j = rng.sample(range(len(shards)), 2)
        shards[i], shards[j] = shards[j], shards[i]
    open(index_path, "w").write(json.dumps(index, indent=2, sort_keys=True) + "\n")
    return kind


def refusals(directory, c_reader_path, original):
    """(verify refused, Python refused, C refused); fails the test on a crash or a wrong row."""
    verify = subprocess.run([pipeline_binary(), "verify", directory], capture_output=True, text=True)
    assert verify.returncode in (0, 1), f"verify crashed ({verify.returncode}): {verify.stderr[-2000:]}"
    try:
        rows = read_all(directory)
        python_refused = False
        assert len(rows) == len(original) and all(
            all((row[k] == ref[k]).all() for k in ref) for row, ref in zip(rows, original)), "the Python reader served wrong rows"
    except ingot.FormatError:
        python_refused = True
    c = subprocess.run([c_reader_path, directory], capture_output=True, text=True)
    assert c.returncode in (0, 1), f"the C reader crashed ({c.returncode}): {c.stderr[-2000:]}"
    if c.returncode == 1:
        assert c.stderr.startswith("error: "), c.stderr
    return verify.returncode == 1, python_refused, c.returncode == 1


@pytest.mark.parametrize("codec", ["zstd", "none"])
def test_random_mutations_are_all_detected(small_dataset, c_reader, codec, tmp_path):
    source = small_dataset[codec]
    original = read_all(source)
    rng = random.Random(20261130 + len(codec))
    undetected, done = [], 0
    while done < 150:
        directory = str(tmp_path / f"m{done}")
        shutil.copytree(source, directory, ignore=shutil.ignore_patterns(".ingot"))
        kind = KINDS[done % len(KINDS)]
        what = mutate(directory, kind, rng)
        if what is None:
            shutil.rmtree(directory)
            continue
        result = refusals(directory, c_reader, original)
        if not all(result):
            undetected.append((what, result))
        shutil.rmtree(directory)
        done += 1
    assert not undetected, f"{len(undetected)} of {done} mutations not refused by all of (verify, Python, C): {undetected[:10]}"


EDITS = {
    "rows_per_frame 0": lambda i: i["compression"].update(rows_per_frame=0),
    "rows_per_frame 1": lambda i: i["compression"].update(rows_per_frame=1),
    "rows_per_frame 16": lambda i: i["compression"].update(rows_per_frame=16),
    "rows_per_frame 31": lambda i: i["compression"].update(rows_per_frame=31),
    "rows_per_frame 33": lambda i: i["compression"].update(rows_per_frame=33),
    "rows_per_frame 64": lambda i: i["compression"].update(rows_per_frame=64),
    "seq_len halved, rows doubled": lambda i: (
        i.update(seq_len=i["seq_len"] // 2, total_rows=i["total_rows"] * 2),
        i["statistics"].update(rows=i["statistics"]["rows"] * 2),
        [s.update(rows=s["rows"] * 2) for s in i["shards"]]),
    "negative vocab_size": lambda i: i.update(vocab_size=-5),
    "pad id past the vocabulary": lambda i: i["special_tokens"].update(pad=3_000_000_000),
    "swapped column entries": lambda i: i["shards"][0]["files"].update(
        input_ids=i["shards"][0]["files"]["segment_ids"], segment_ids=i["shards"][0]["files"]["input_ids"]),
    "dropped shard": lambda i: (i["shards"].pop(1), i.update(total_rows=sum(s["rows"] for s in i["shards"])),
                                i["statistics"].update(rows=i["total_rows"])),
    "duplicated shard": lambda i: i["shards"].insert(1, i["shards"][1]),
    "reordered shards": lambda i: i["shards"].insert(0, i["shards"].pop(2)),
    "unknown codec": lambda i: i["compression"].update(codec="lz4"),
    "extra column": lambda i: i["columns"].update(labels={"dtype": "uint8"}),
    "uint16 ids for a large vocabulary": lambda i: i.update(vocab_size=100_000),
    "input read in part": lambda i: i["inputs"][0].update(bytes_read=1),
}


# Uncompressed files have no frames: there, a positive rows_per_frame changes nothing a reader
# reads, and the rows must simply come back as they are.
HARMLESS_WITHOUT_FRAMES = {"rows_per_frame 1", "rows_per_frame 16", "rows_per_frame 31", "rows_per_frame 33", "rows_per_frame 64"}


@pytest.mark.parametrize("codec", ["zstd", "none"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_resealed_value_edits_are_refused_with_a_message(small_dataset, c_reader, codec, edit, tmp_path):
    directory = str(tmp_path / "edited")
    shutil.copytree(small_dataset[codec], directory, ignore=shutil.ignore_patterns(".ingot"))
    path = os.path.join(directory, "index.json")
    index = json.load(open(path))
    EDITS[edit](index)
    open(path, "w").write(json.dumps(index))
    reseal(directory)
    verify = subprocess.run([pipeline_binary(), "verify", directory], capture_output=True, text=True)
    c = subprocess.run([c_reader, directory], capture_output=True, text=True)
    if codec == "none" and edit in HARMLESS_WITHOUT_FRAMES:
        assert verify.returncode == 0, verify.stderr
        assert c.returncode == 0, c.stderr
        assert c.stdout == subprocess.run([c_reader, small_dataset[codec]], capture_output=True, text=True).stdout
        for row, ref in zip(read_all(directory), read_all(small_dataset[codec]), strict=True):
            assert all((row[k] == ref[k]).all() for k in ref)
        return
    with pytest.raises(ingot.FormatError):
        read_all(directory)
    assert verify.returncode == 1 and verify.stderr.startswith("error: "), verify.stderr
    assert c.returncode == 1 and c.stderr.startswith("error: "), c.stderr
