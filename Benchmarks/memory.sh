#!/usr/bin/env bash
# Peak memory (RSS) of `pipeline run pretrain` as input grows and with one or two workers, and of
# single large documents. Release build; inputs are repeats of a real corpus (make-corpus.sh).
#
#   Benchmarks/memory.sh PIPELINE_BINARY EN_JSONL EN_TXT [SCRATCH_DIR]
set -euo pipefail
pipeline=$1
jsonl=$2
text=$3
scratch=${4:-/tmp/ingot-memory}
mkdir -p "$scratch"

# Inputs of about 0.25, 1 and 2 GB: the corpus repeated.
make_input() {  # size_mb name
    local out="$scratch/$2" size=$(stat -c %s "$jsonl")
    [ -f "$out" ] || { : > "$out"; while [ "$(stat -c %s "$out")" -lt $(( $1 * 1000000 )) ]; do cat "$jsonl" >> "$out"; done; }
    echo "$out"
}
# One document of about SIZE MB, as a .txt file and as one JSON line.
make_document() {  # size_mb
    python3 - "$text" "$1" "$scratch" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
mb, out = int(sys.argv[2]), sys.argv[3]
doc = (text * (mb * 1_000_000 // len(text) + 1))[: mb * 1_000_000]
open(f"{out}/doc{mb}.txt", "w", encoding="utf-8").write(doc)
open(f"{out}/doc{mb}.jsonl", "w", encoding="utf-8").write(json.dumps({"text": doc}, ensure_ascii=False) + "\n")
PY
}

measure() {  # input workers
    rm -rf "$scratch/out"
    /usr/bin/time -f "%M %e" "$pipeline" run pretrain --input "$1" --output "$scratch/out" --workers "$2" 2>&1 >/dev/null \
        | tail -n 1 | awk -v input="$(basename "$1")" -v size="$(stat -c %s "$1")" -v w="$2" \
            '{ printf "| %s | %.2f GB | %s | %.0f MB | %s s |\n", input, size / 1e9, w, $1 / 1024, $2 }'
}

echo "| input | size | workers | peak RSS | wall time |"
echo "|---|---|---|---|---|"
for mb in 250 1000 2000; do
    input=$(make_input $mb "en-$mb.jsonl")
    for w in 1 2; do measure "$input" $w; done
done
for mb in 103 206; do
    make_document $mb
    for ext in txt jsonl; do measure "$scratch/doc$mb.$ext" 2; done
done
tiny="$scratch/tiny.txt"
echo "a few words" > "$tiny"
measure "$tiny" 1
