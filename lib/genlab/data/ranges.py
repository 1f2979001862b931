"""Pixel value ranges and the conversions between them: the one home for ``[-1, 1]``, ``[0, 1]`` and uint8.

Generators end in tanh (``SIGNED``); the VAE decoder and the un-normalised tips arms work in
``UNIT``; files and caches hold uint8. The evaluation classifier and detectors read ``SIGNED``.
"""
from __future__ import annotations

import numpy as np

SIGNED = (-1.0, 1.0)
UNIT = (0.0, 1.0)


def _check(value_range) -> tuple[float, float]:
    low, high = value_range
    if high <= low:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range}")
    return low, high


def to_float(images: np.ndarray, value_range=SIGNED) -> np.ndarray:
    """uint8 images to float32 in ``value_range``."""
    low, high = _check(value_range)
    return (images.astype("float32") / 255.0) * (high - low) + low


def to_unit(images, value_range=SIGNED) -> np.ndarray:
    """Float images read in ``value_range`` to float32 [0, 1], clipped."""
    low, high = _check(value_range)
    return np.clip((np.asarray(images, dtype="float32") - low) / (high - low), 0.0, 1.0)


def to_signed(images, value_range=SIGNED) -> np.ndarray:
    """Float images read in ``value_range`` to [-1, 1] (clipped; NaN becomes mid-grey)."""
    low, high = _check(value_range)
    images = np.nan_to_num(np.asarray(images, dtype="float32"), nan=(low + high) / 2)
    return (to_unit(images, value_range) * 2.0 - 1.0).astype("float32")


def to_uint8(images, value_range=SIGNED) -> np.ndarray:
    """Float images in ``value_range`` to uint8 0..255 (clipped, rounded)."""
    return np.round(to_unit(images, value_range) * 255.0).astype(np.uint8)


def as_signed(images) -> np.ndarray:
    """(N, H, W, 3) float32 in [-1, 1] for the judges: uint8 is converted, floats are checked."""
    array = np.asarray(images)
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"expected images of shape (N, H, W, 3), got {array.shape}")
    if array.dtype == np.uint8:
        return to_float(array, SIGNED)
    array = array.astype("float32", copy=False)
    if array.size and (array.min() < -1.5 or array.max() > 1.5):
        raise ValueError(f"images should be floats in [-1, 1], got values in [{array.min():.3g}, {array.max():.3g}]")
    return array


def scale_batch(batch, value_range=SIGNED):
    """A uint8 TensorFlow batch to float32 in ``value_range`` (the input pipeline's conversion)."""
    import tensorflow as tf

    low, high = (float(v) for v in _check(value_range))
    return tf.cast(batch, tf.float32) * ((high - low) / 255.0) + low
