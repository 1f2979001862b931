"""Running a network on many inputs: the one batched-inference loop (no tracing, float32 numpy out)."""
from __future__ import annotations

import numpy as np

BATCH_SIZE = 256


def batched(fn, inputs, batch_size: int = BATCH_SIZE):
    """``fn(chunk)`` over ``inputs`` (an array, or a list of arrays split alike) in batches, joined.

    ``fn`` is a network or any callable; its outputs (an array, or a list/dict of them) come
    back as numpy arrays concatenated along the first axis. Eager calls: unlike
    ``model.predict`` nothing is traced, so new sizes or models neither pay for tracing nor
    warn about retracing.
    """
    import keras

    arrays = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    n = len(arrays[0])
    if n == 0:
        raise ValueError("no inputs to run the network on")
    outputs = []
    for start in range(0, n, batch_size):
        chunk = [a[start : start + batch_size] for a in arrays]
        out = fn(chunk if len(chunk) > 1 else chunk[0])
        outputs.append(keras.tree.map_structure(keras.ops.convert_to_numpy, out))
    return keras.tree.map_structure(lambda *parts: np.concatenate(parts), *outputs)


def generate(network, inputs, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Images from a generator or decoder in inference mode, as float32."""
    return batched(lambda x: network(x, training=False), inputs, batch_size).astype("float32")
