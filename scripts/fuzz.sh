#!/usr/bin/env bash
# Builds ingot-fuzz (the parsers, instrumented for libFuzzer) and runs every target for SECONDS
# (default 8) from its kept inputs in Tests/Fuzz/corpus/<target>/. A crash, a hang (over 10 s on
# one input) or runaway memory (over 2 GB) fails the script and leaves the input that caused it
# in Fuzz/findings/<target>/: fix the bug, then add the input to the kept corpus, where the test
# suite replays it (FuzzCorpusTests).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-8}"
shift || true
build=(swift build -c release --package-path Fuzz --product ingot-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld)
log=$(mktemp)
if ! "${build[@]}" > "$log" 2>&1; then
    cat "$log"
    exit 1
fi
tail -n 1 "$log"
rm -f "$log"
binary="$("${build[@]}" --show-bin-path)/ingot-fuzz"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(ls Tests/Fuzz/corpus))
fi
status=0
for target in "${targets[@]}"; do
    work=$(mktemp -d)
    findings="Fuzz/findings/$target"
    mkdir -p "$findings"
    # A target's libFuzzer dictionary (tokens it mutates with), where it has one.
    dict=()
    [ -f "Tests/Fuzz/$target.dict" ] && dict=(-dict="Tests/Fuzz/$target.dict")
    # New inputs go to a scratch directory: the kept corpus changes only by hand.
    if ! "$binary" "$target" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$findings/" -print_final_stats=1 "$work" "Tests/Fuzz/corpus/$target" > "$work.log" 2>&1; then
        echo "FAIL $target: see $findings/ and the log below"
        tail -n 40 "$work.log"
        status=1
    else
        runs=$(grep -E "stat::number_of_executed_units" "$work.log" | awk '{print $2}')
        cov=$(grep -oE "cov: [0-9]+" "$work.log" | tail -n 1)
        echo "ok   $target: $runs runs in ${seconds} s, $cov"
    fi
    rm -rf "$work" "$work.log"
    rmdir "$findings" 2>/dev/null || true
done
exit $status
