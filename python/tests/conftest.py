import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pipeline_binary():
    explicit = os.environ.get("INGOT_PIPELINE")
    if explicit:
        return explicit
    for config in ("debug", "release"):
        path = os.path.join(ROOT, ".build", config, "pipeline")
        if os.path.exists(path):
            return path
    pytest.fail("no pipeline binary: run `swift build` first or set INGOT_PIPELINE")


def make_dataset(directory, pipeline="pretrain", *extra):
    subprocess.run([pipeline_binary(), "run", pipeline, "--output", str(directory), "--seq-len", "256",
                    "--partition-mb", "1", "--overwrite", *extra], check=True, cwd=ROOT, capture_output=True)
    return str(directory)


@pytest.fixture(scope="session")
def zstd_dataset(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("zstd"))


@pytest.fixture(scope="session")
def raw_dataset(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("raw"), "pretrain", "--compression", "none")


@pytest.fixture(scope="session")
def finetune_dataset(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("finetune"), "finetune")
