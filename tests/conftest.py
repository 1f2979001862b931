"""Shared fixtures. Every test runs with its data, figures and runs under a temp folder."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path, monkeypatch):
    """Point genlab's data, figure, run and executed-notebook folders at a per-test temp dir.

    The executed-notebook folder holds ``make figures``' stamps and run records: a test writing there
    would make the project's notebooks look stale and the gallery misreport how their runs were made."""
    monkeypatch.setenv("GENLAB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GENLAB_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("GENLAB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("GENLAB_EXECUTED", str(tmp_path / "executed"))
    # The runner sets these for its kernels; a test that runs it must not hand them to the next test.
    for variable in ("GENLAB_PRECISION", "GENLAB_THREADS", "OMP_NUM_THREADS", "GENLAB_STEPS",
                     "GENLAB_DATA_FALLBACK", "GENLAB_STRATEGY", "GENLAB_REPORT_DIR", "GENLAB_CALLER_DIR"):
        monkeypatch.delenv(variable, raising=False)
    yield tmp_path


@pytest.fixture(autouse=True)
def float32_policy_after_each_test():
    """Give the next test Keras' float32 policy: ``setup()`` with the cpu profile turns on mixed_bfloat16 where
    bfloat16 pays on this CPU, and a test that follows in the same process must not inherit it."""
    yield
    if "keras" in sys.modules:
        sys.modules["keras"].mixed_precision.set_global_policy("float32")
