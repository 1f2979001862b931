"""More devices: choosing the strategy. (A notebook training under MirroredStrategy: tests/test_notebooks.py.)"""
from __future__ import annotations

import pytest

from genlab.train import devices


def test_unknown_strategies_and_bad_tf_config_are_named(monkeypatch):
    with pytest.raises(ValueError, match="GENLAB_STRATEGY='tpu': choose one of auto, mirrored, multiworker, default"):
        devices.choose("tpu")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        devices.choose("auto")


def test_auto_is_the_default_strategy_without_gpus_or_a_cluster(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    assert devices.choose("auto") is tf.distribute.get_strategy()


def _onednn_enabled(env_value):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if env_value is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = env_value
    code = ("import genlab, tensorflow\n"
            "from tensorflow.python.util import _pywrap_util_port\n"
            "print(_pywrap_util_port.IsMklEnabled())\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1] == "True"


def test_importing_genlab_turns_tensorflows_onednn_kernels_on_unless_the_user_said_no():
    assert _onednn_enabled(None), "TensorFlow leaves oneDNN off on AVX2-only CPUs; genlab turns it on"
    assert not _onednn_enabled("0"), "TF_ENABLE_ONEDNN_OPTS=0 is the user's to keep"
