#!/usr/bin/env bash
# The test suite, as CI runs it: system packages, the Swift tests, the Python reader's tests
# (which also build and check the C reader) against datasets written by the freshly built binary,
# then the tokenizer components against the reference libraries (HuggingFace tokenizers,
# sentencepiece).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
swift build             # every product, so the CLI tests run the current `pipeline` binary
swift test --disable-xctest

# The release binary the README's main command runs: built here so a release-only compiler
# problem fails CI, and used for the Python-side tests (the reference tests encode a lot).
swift build -c release --product pipeline
python3 -m pip install -q --disable-pip-version-check ./python pytest -r Tests/Reference/requirements.txt
export INGOT_PIPELINE="$(swift build -c release --show-bin-path)/pipeline"
python3 -m pytest -q python/tests Tests/Reference
