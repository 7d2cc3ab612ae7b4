#!/usr/bin/env bash
# The test suite, as CI runs it: system packages, the Swift tests, the Python reader's tests
# (which also build and check the C reader, and run the torch DataLoader) against datasets written
# by the freshly built binary, then the tokenizer components against the reference libraries
# (HuggingFace tokenizers, sentencepiece).
#
# Tests that need ../shared (real tokenizers, oracles) are skipped, with the reason, in a clone
# without it. With INGOT_REQUIRE_SHARED=1 (CI) they must run: a missing fixture fails them, and
# any skipped test fails the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

scripts/bootstrap.sh
swift build             # every product, so the CLI tests run the current `pipeline` binary
swift test --disable-xctest 2>&1 | tee "$log"

# The release binary the README's main command runs: built here so a release-only compiler
# problem fails CI, and used for the Python-side tests (the reference tests encode a lot).
swift build -c release --product pipeline
# torch for the DataLoader and trainer tests, before the requirements (accelerate would pull
# PyPI's torch, a 3 GB CUDA build): the CPU wheel these machines carry; elsewhere pip installs
# PyPI's.
wheel=$(ls /opt/wheels/torch-*+cpu*.whl 2>/dev/null | head -n 1 || true)
if [ -n "$wheel" ] && ! python3 -c "import torch" 2>/dev/null; then
    python3 -m pip install -q --disable-pip-version-check "$wheel"
fi
python3 -m pip install -q --disable-pip-version-check ./python pytest -r Tests/Reference/requirements.txt -r python/tests/requirements.txt
export INGOT_PIPELINE="$(swift build -c release --show-bin-path)/pipeline"
python3 -m pytest -q -rs python/tests Tests/Reference 2>&1 | tee -a "$log"

# A bounded run of every fuzz target (about a minute, plus the instrumented build): the parsers
# must survive what libFuzzer makes of their kept inputs.
scripts/fuzz.sh 6

if [ "${INGOT_REQUIRE_SHARED:-0}" = 1 ] && grep -qiE '(test .* skipped|[0-9]+ skipped)' "$log"; then
    echo "error: tests were skipped, but INGOT_REQUIRE_SHARED=1 requires every test to run:" >&2
    grep -iE '(test .* skipped|[0-9]+ skipped|^SKIPPED)' "$log" >&2
    exit 1
fi
