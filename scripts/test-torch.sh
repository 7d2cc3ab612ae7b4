#!/usr/bin/env bash
# The PyTorch adapter's tests with the real torch from PyPI (about 3 GB, so not part of CI):
# DataLoader with worker processes and several batch sizes over a real dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${INGOT_TORCH_VENV:-.venv-torch}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check torch ./python pytest
swift build
INGOT_PIPELINE="$(swift build --show-bin-path)/pipeline" "$venv/bin/python" -m pytest -q python/tests
