"""Which devices train: the one tf.distribute strategy every model of a process is built, compiled and trained under.

``GENLAB_STRATEGY`` (``make figures STRATEGY=...``) chooses it:

- ``auto`` (default): MultiWorkerMirroredStrategy when ``TF_CONFIG`` names more than one worker,
  MirroredStrategy over the GPUs when more than one is visible, else the default strategy;
- ``mirrored``: MirroredStrategy over every GPU, or over every (logical) CPU device without one;
- ``multiworker``: MultiWorkerMirroredStrategy, the cluster read from ``TF_CONFIG``;
- ``default``: TensorFlow's default strategy (one device).

``GENLAB_CPU_DEVICES=N`` splits the CPU into N logical devices before TensorFlow initialises,
so mirrored training can be tested without GPUs.
"""
from __future__ import annotations

import json
import os

STRATEGY_VARIABLE = "GENLAB_STRATEGY"
CPU_DEVICES_VARIABLE = "GENLAB_CPU_DEVICES"
STRATEGIES = ("auto", "mirrored", "multiworker", "default")

_chosen = None


def configure_cpu_devices(count: str | int | None = None) -> None:
    """Split the first CPU into ``count`` logical devices (default ``GENLAB_CPU_DEVICES``; unset: leave it)."""
    count = int(count if count is not None else os.environ.get(CPU_DEVICES_VARIABLE) or 0)
    if count < 2:
        return
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError as error:
        raise RuntimeError(f"{CPU_DEVICES_VARIABLE}={count} must be set before TensorFlow initialises "
                           f"(restart the kernel): {error}") from None


def _workers() -> int:
    try:
        return len(json.loads(os.environ.get("TF_CONFIG") or "{}").get("cluster", {}).get("worker", []))
    except ValueError:
        raise ValueError("TF_CONFIG is not valid JSON; see README, 'More devices'") from None


def choose(name: str | None = None):
    """A new strategy for ``name`` (default ``GENLAB_STRATEGY``, else auto)."""
    import tensorflow as tf

    name = (name if name is not None else os.environ.get(STRATEGY_VARIABLE, "")) or "auto"
    if name not in STRATEGIES:
        raise ValueError(f"{STRATEGY_VARIABLE}={name!r}: choose one of {', '.join(STRATEGIES)}")
    gpus = tf.config.list_logical_devices("GPU")
    if name == "multiworker" or (name == "auto" and _workers() > 1):
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored" or (name == "auto" and len(gpus) > 1):
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    return tf.distribute.get_strategy()


def strategy():
    """This process's strategy, chosen on first use and then kept (a strategy is made once per process)."""
    global _chosen
    if _chosen is None:
        _chosen = choose()
    return _chosen


def strategy_scope():
    """``with strategy_scope():`` builds, compiles and trains under this process's strategy."""
    return strategy().scope()


def replicas() -> int:
    return int(strategy().num_replicas_in_sync)


def describe() -> str:
    chosen = strategy()
    name = type(chosen).__name__
    if replicas() == 1 and name == "_DefaultDistributionStrategy":
        return "strategy: default (one device)"
    devices = getattr(chosen.extended, "worker_devices", ())
    return f"strategy: {name}, {replicas()} replica(s)" + (f" on {', '.join(devices)}" if devices else "")
