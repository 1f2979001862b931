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
