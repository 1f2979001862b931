"""The tf.data input pipeline over uint8 images and their labels: in memory, or streamed from a cache file.

Images memory-mapped from a file (:func:`genlab.data.images.image_array`) are never loaded whole:
the pipeline shuffles their indices and reads each batch's rows from the file, in the same order
and with the same values as the in-memory pipeline would give.
"""
from __future__ import annotations

import mmap
import os

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


def file_rows(images) -> tuple[str, int, int] | None:
    """``(file, offset of row 0, bytes between rows)`` of a file-backed memory map whose rows are contiguous, else None."""
    if not isinstance(images, np.memmap) or not len(images) or not images[0].flags.c_contiguous:
        return None
    root = images
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not isinstance(root, np.memmap) or not isinstance(root.base, mmap.mmap) or not images.filename:
        return None  # an in-memory result of arithmetic on a memmap
    start = images.__array_interface__["data"][0] - root.__array_interface__["data"][0] + root.offset
    return str(images.filename), start, images.strides[0]


class RowReader:
    """Reads rows ``indices`` of a file-backed image array with ``pread`` (no memory map: memory stays bounded)."""

    def __init__(self, file: str, start: int, stride: int, row_shape: tuple):
        self.file, self.start, self.stride, self.row_shape = file, start, stride, tuple(row_shape)
        self.row_bytes = int(np.prod(self.row_shape))
        self._fd = os.open(file, os.O_RDONLY)

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        out = np.empty((len(indices), *self.row_shape), np.uint8)
        for row, index in zip(out, indices):
            got = os.preadv(self._fd, [row], self.start + int(index) * self.stride)
            if got != self.row_bytes:
                raise OSError(f"{self.file}: short read at image {int(index)} (the cache file is damaged)")
        return out

    def __del__(self):
        os.close(self._fd)


def image_dataset(images, labels=None, batch_size: int = 64, value_range=SIGNED, shuffle: bool = True,
                  seed: int = 0, drop_remainder: bool = True, repeat: bool = False):
    """A tf.data pipeline over uint8 images (and labels): shuffle, batch, scale, prefetch.

    Yields float32 image batches scaled to ``value_range``, or ``(images, labels)`` when labels
    (an array, or a tuple/dict of arrays) are given. Shuffling is seeded: the batch order is the
    same on every run, and each epoch is reshuffled. Images stay uint8 until batched; images
    memory-mapped from a file are streamed from it batch by batch (same batches, bounded memory).
    """
    import tensorflow as tf

    rows = file_rows(images)
    images = images if rows else np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError("image_dataset expects uint8 images; scale with value_range instead")
    if images.ndim != 4:
        raise ValueError(f"image_dataset expects images shaped (N, height, width, channels), got {images.shape}")
    if drop_remainder and not repeat and len(images) < batch_size:
        raise ValueError(f"only {len(images)} images for batches of {batch_size}; render or load more images")
    if len(images) == 0:
        raise ValueError("image_dataset got no images")
    # Streamed, the pipeline shuffles indices instead of images: the shuffle's order depends only
    # on the seed and the count, so both ways give the same batches.
    first = np.arange(len(images), dtype=np.int64) if rows else images
    elements = first if labels is None else (first, _label_arrays(labels, len(images)))
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if rows:
        reader = RowReader(*rows, images.shape[1:])
        shape = [batch_size if drop_remainder else None, *images.shape[1:]]

        def read(indices):
            return tf.ensure_shape(tf.numpy_function(reader, [indices], tf.uint8, stateful=False), shape)
    else:
        def read(batch):
            return batch
    if labels is None:
        dataset = dataset.map(lambda x: scale_batch(read(x), value_range), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(lambda x, y: (scale_batch(read(x), value_range), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
