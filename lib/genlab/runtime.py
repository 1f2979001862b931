"""How this process runs: headless or watched, and how many CPU threads TensorFlow may use."""
from __future__ import annotations

import os

THREADS_VARIABLE = "GENLAB_THREADS"  # set by ``make figures`` for each kernel: cores / JOBS
LOADED_MESSAGE = "already trained, loaded its checkpoint"  # printed for a finished run


def headless() -> bool:
    """True when running without a person watching (``make figures``, CI)."""
    return os.environ.get("GENLAB_HEADLESS", "") not in ("", "0") or os.environ.get("CI", "") == "true"


def limit_threads(threads: str | int | None = None) -> None:
    """Use at most ``threads`` CPU threads (default: ``GENLAB_THREADS``; unset leaves TensorFlow's default)."""
    threads = threads if threads is not None else os.environ.get(THREADS_VARIABLE)
    if not threads:
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    except RuntimeError:  # TensorFlow already ran something in this kernel; keep its thread pools
        print(f"{THREADS_VARIABLE}={threads} ignored: TensorFlow was already initialised")
