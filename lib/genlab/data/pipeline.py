"""The tf.data input pipeline over in-memory uint8 images and their labels."""
from __future__ import annotations

import numpy as np

from genlab.data.ranges import SIGNED, scale_batch


def _label_array(values, n: int, name) -> np.ndarray:
    array = np.asarray(values)
    if len(array) != n:
        which = "labels" if name is None else f"labels[{name!r}]"
        raise ValueError(f"{n} images but {len(array)} {which}")
    return array.astype("float32") if np.issubdtype(array.dtype, np.floating) else array


def _label_arrays(labels, n: int):
    """An array, or a tuple/dict of arrays, checked for length; floats become float32, integers stay."""
    if isinstance(labels, dict):
        return {key: _label_array(value, n, key) for key, value in labels.items()}
    if isinstance(labels, tuple):
        return tuple(_label_array(value, n, i) for i, value in enumerate(labels))
    return _label_array(labels, n, None)


def image_dataset(images, labels=None, batch_size: int = 64, value_range=SIGNED, shuffle: bool = True,
                  seed: int = 0, drop_remainder: bool = True, repeat: bool = False):
    """A tf.data pipeline over in-memory uint8 images (and labels): shuffle, batch, scale, prefetch.

    Yields float32 image batches scaled to ``value_range``, or ``(images, labels)`` when labels
    (an array, or a tuple/dict of arrays) are given. Shuffling is seeded: the batch order is the
    same on every run, and each epoch is reshuffled. Images stay uint8 until batched.
    """
    import tensorflow as tf

    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError("image_dataset expects uint8 images; scale with value_range instead")
    if images.ndim != 4:
        raise ValueError(f"image_dataset expects images shaped (N, height, width, channels), got {images.shape}")
    if drop_remainder and not repeat and len(images) < batch_size:
        raise ValueError(f"only {len(images)} images for batches of {batch_size}; render or load more images")
    if len(images) == 0:
        raise ValueError("image_dataset got no images")
    elements = images if labels is None else (images, _label_arrays(labels, len(images)))
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if labels is None:
        dataset = dataset.map(lambda x: scale_batch(x, value_range), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(lambda x, y: (scale_batch(x, value_range), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
