"""Differentiable augmentation of every image the discriminator sees (Zhao et al. 2020, "DiffAugment").

Real and generated images alike are recoloured, shifted and partly masked before D judges them,
so D cannot win by memorising exact pixels and G still gets a gradient through the same
operations. The randomness comes from the trainer's seed generator, so a resumed run draws the
same augmentations.
"""
from __future__ import annotations

import keras
import tensorflow as tf

POLICIES = ("color", "translation", "cutout")


def _uniform(trainer, x, shape, dtype=tf.float32):
    """Uniform [0, 1) draws of ``shape`` per image of the batch ``x``, from the trainer's seed state."""
    draws = trainer.draw(lambda n: keras.random.uniform(tf.concat([[n], shape], 0), seed=trainer.seed_generator),
                         tf.shape(x)[0])
    return tf.cast(draws, dtype)


def color(x, trainer):
    """Random brightness (+-0.5), saturation (x0..2) and contrast (x0.5..1.5) per image, for images in [-1, 1]."""
    ones = tf.constant([1, 1, 1])
    x = x + (_uniform(trainer, x, ones, x.dtype) - 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (_uniform(trainer, x, ones, x.dtype) * 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (_uniform(trainer, x, ones, x.dtype) + 0.5) + mean


def translation(x, trainer, ratio: float = 0.125):
    """Shift each image by up to ``ratio`` of its size in each direction, padding with zeros."""
    size = x.shape[1]
    pad = max(1, int(size * ratio + 0.5))
    shifts = tf.cast(tf.floor(_uniform(trainer, x, tf.constant([2])) * (2 * pad + 1)), tf.int32)  # 0..2 pad
    padded = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
    rows = tf.range(size)[None, :] + shifts[:, :1]
    cols = tf.range(size)[None, :] + shifts[:, 1:]
    out = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(out, cols, axis=2, batch_dims=1)


def cutout(x, trainer, ratio: float = 0.5):
    """Zero a square of ``ratio`` of the image's side at a random place in each image."""
    size = x.shape[1]
    half = size * ratio / 2.0
    centre = _uniform(trainer, x, tf.constant([2])) * size
    grid = tf.cast(tf.range(size), tf.float32)[None, :] + 0.5
    inside_rows = tf.abs(grid - centre[:, :1]) < half
    inside_cols = tf.abs(grid - centre[:, 1:]) < half
    keep = 1.0 - tf.cast(inside_rows[:, :, None] & inside_cols[:, None, :], x.dtype)
    return x * keep[:, :, :, None]


_OPERATIONS = {"color": color, "translation": translation, "cutout": cutout}


def check(policy: str) -> tuple[str, ...]:
    """The policy's operations (comma-separated names from ``POLICIES``), checked."""
    names = tuple(p.strip() for p in policy.split(",") if p.strip()) if policy else ()
    unknown = [n for n in names if n not in _OPERATIONS]
    if unknown:
        raise ValueError(f"unknown augmentation {', '.join(unknown)}; choose from {', '.join(POLICIES)}")
    return names


def augment(x, trainer, names: tuple[str, ...]):
    """``x`` through each named operation in turn."""
    for name in names:
        x = _OPERATIONS[name](x, trainer)
    return x
