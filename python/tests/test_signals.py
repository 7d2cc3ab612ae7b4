"""Ctrl-C and SIGTERM stop a run quickly whatever the worker count, with the documented exit
status, no index, and no temporary files; the release binary is the one measured (CI builds it)."""
import os
import signal
import subprocess
import time

import pytest

from conftest import ROOT, pipeline_binary


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """About 60 MB of JSON lines (the sample corpus, 30 times): seconds of work for a release build."""
    path = tmp_path_factory.mktemp("signals") / "big.jsonl"
    sample = open(os.path.join(ROOT, "Samples", "corpus", "sample-en.jsonl"), "rb").read()
    with open(path, "wb") as f:
        for _ in range(30):
            f.write(sample)
    return str(path)


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("sig,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_within_half_a_second(big_corpus, tmp_path, workers, sig, status):
    out = tmp_path / "out"
    process = subprocess.Popen([pipeline_binary(), "run", "pretrain", "--input", big_corpus, "--output", str(out),
                                "--workers", workers, "--partition-mb", "16"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    staging = out / ".ingot" / "staging"
    deadline = time.time() + 30
    while time.time() < deadline and not (staging.exists() and any(staging.iterdir())):
        time.sleep(0.005)
    time.sleep(0.2)  # well into tokenizing and writing
    assert process.poll() is None, "the run finished before it could be interrupted"
    sent = time.monotonic()
    process.send_signal(sig)
    process.wait(timeout=30)
    elapsed = time.monotonic() - sent
    assert process.returncode == status, process.stderr.read().decode()
    assert elapsed < 0.5, f"took {elapsed:.2f} s to stop"
    assert not (out / "index.json").exists()
    leftovers = [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers, leftovers
