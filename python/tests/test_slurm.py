"""`pipeline slurm` on a real Slurm cluster: a 4-task job array plus finalize writes the bytes of a
local run; a task that fails leaves finalize refusing (Slurm cancels the dependent finalize job),
and resubmitting that task alone (`--only-tasks`) completes the dataset.

Needs a running cluster (`scripts/slurm-single-node.sh` starts one on this machine; CI does, and
sets INGOT_REQUIRE_SLURM=1, under which a missing cluster fails instead of skipping)."""
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import ROOT, pipeline_binary


def cluster_is_up():
    if not shutil.which("sbatch") or not shutil.which("sinfo"):
        return False
    states = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return states.returncode == 0 and any(s.strip().rstrip("*") in ("idle", "mixed", "allocated") for s in states.stdout.split())


REQUIRED = os.environ.get("INGOT_REQUIRE_SLURM") == "1"
if not REQUIRED and not cluster_is_up():
    pytest.skip("no Slurm cluster on this machine (scripts/slurm-single-node.sh starts one)", allow_module_level=True)


def pipeline(*arguments, check=True):
    result = subprocess.run([pipeline_binary(), *arguments], capture_output=True, text=True, cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"pipeline {' '.join(arguments)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def submit(*arguments):
    """Runs `pipeline slurm ...`; returns (array job id, finalize job id)."""
    out = pipeline("slurm", *arguments).stdout
    found = re.search(r"submitted job array (\d+) .* finalize job (\d+)", out)
    assert found, out
    return found.group(1), found.group(2)


def wait_for(*jobs, timeout=600):
    """Waits until no job of `jobs` is pending or running; returns {job or job_task: state}."""
    deadline = time.monotonic() + timeout
    while True:
        queued = subprocess.run(["squeue", "-h", "-j", ",".join(jobs), "-o", "%i"], capture_output=True, text=True)
        if queued.returncode == 0 and not queued.stdout.strip():
            break
        assert time.monotonic() < deadline, f"jobs {jobs} still queued after {timeout} s:\n{queued.stdout}"
        time.sleep(1)
    states = {}
    for job in jobs:
        shown = subprocess.run(["scontrol", "-o", "show", "job", job], capture_output=True, text=True, check=True).stdout
        for line in shown.splitlines():
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            key = fields["JobId"] if "ArrayTaskId" not in fields else f"{fields['ArrayJobId']}_{fields['ArrayTaskId']}"
            states[key] = fields["JobState"]
    return states


def dataset_files(directory):
    return {name: open(os.path.join(directory, name), "rb").read() for name in sorted(os.listdir(directory)) if not name.startswith(".")}


def test_job_array_and_finalize_match_a_local_run_and_a_failed_task_is_resubmitted_alone(tmp_path):
    assert cluster_is_up(), "INGOT_REQUIRE_SLURM=1 but no Slurm cluster is up: run scripts/slurm-single-node.sh"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sample = os.path.join(ROOT, "Samples", "corpus", "sample-en.jsonl")
    for i in range(4):
        shutil.copy(sample, corpus / f"part-{i}.jsonl")
    common = ["--input", str(corpus), "--partition-mb", "1", "--seq-len", "512"]

    local = tmp_path / "local"
    pipeline("run", "pretrain", *common, "--output", str(local))
    reference = dataset_files(local)
    assert sum(name.startswith("part-") for name in reference) >= 8, "several partitions for 4 tasks"

    # Task 2 fails: its partition 2's completion record cannot be written (a directory is in the
    # way; root can read anything, so an unreadable input would not do).
    output = tmp_path / "slurm"
    blocker = output / ".ingot" / "staging" / "part-00002.done.json" / "blocker"
    blocker.mkdir(parents=True)
    array, finalize = submit("pretrain", *common, "--output", str(output), "--tasks", "4", "--cpus-per-task", "1")
    states = wait_for(array, finalize)
    assert states[f"{array}_2"] == "FAILED", states
    assert all(states[f"{array}_{t}"] == "COMPLETED" for t in (0, 1, 3)), states
    assert states[finalize] == "CANCELLED", states  # --kill-on-invalid-dep
    assert not (output / "index.json").exists()
    log = open(output / ".ingot" / "slurm" / f"task-2-{array}.log").read()
    assert "part-00002.done.json" in log, log

    refused = pipeline("finalize", str(output), check=False)
    assert refused.returncode == 1
    assert "(task 2)" in refused.stderr and "--only-tasks 2" in refused.stderr, refused.stderr
    assert not (output / "index.json").exists()

    # The cause goes; task 2 alone is submitted again, with a new finalize job.
    shutil.rmtree(blocker.parent)
    array, finalize = submit("pretrain", *common, "--output", str(output), "--tasks", "4", "--cpus-per-task", "1", "--only-tasks", "2")
    states = wait_for(array, finalize)
    assert states == {f"{array}_2": "COMPLETED", finalize: "COMPLETED"}, states
    assert "published the work of 4 tasks" in open(output / ".ingot" / "slurm" / f"finalize-{finalize}.log").read()

    published = dataset_files(output)
    assert sorted(published) == sorted(reference)
    for name, data in reference.items():
        assert published[name] == data, f"{name} differs between the local run and the Slurm run"
    pipeline("verify", str(output))
