"""Fixtures for the Python module's tests: the rft binary and the repository, from the
environment that tests/CMakeLists.txt sets (RFT_BIN, RFT_SOURCE_ROOT, RFT_BUILD_DIR)."""

import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def root():
    return os.environ["RFT_SOURCE_ROOT"]


@pytest.fixture(scope="session")
def rft_bin():
    return os.environ["RFT_BIN"]


@pytest.fixture
def cache_env(tmp_path, monkeypatch):
    """The JIT's compile cache in a temporary directory."""
    monkeypatch.setenv("RFT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rft_grade(rft_bin, spec, reward, data, out):
    """Grades with the rft command and returns its result lines."""
    subprocess.run([rft_bin, "grade", spec, "--reward", reward, "--data", data, "--out", out,
                    "--threads", "2"], check=True, capture_output=True, text=True)
    return read_jsonl(out)
