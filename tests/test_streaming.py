"""Real data is never all in memory: a uint8 cache written once and memory-mapped, streamed batch by batch."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from genlab import data
from genlab.data import images as decoding
from genlab.data.pipeline import file_rows


def faces(tmp_path, n=12, size=(20, 26)):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        path = tmp_path / "img" / f"{i:03d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def test_image_array_is_memory_mapped_decoded_once_and_equal_to_the_in_memory_decode(tmp_path, monkeypatch):
    paths = faces(tmp_path)
    mapped = data.image_array(paths, 8, crop="center")
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable and file_rows(mapped) is not None
    np.testing.assert_array_equal(mapped, data.load_images(paths, 8, crop="center"))

    def no_decoding(*args):
        raise AssertionError("a cached set must not be decoded again")

    monkeypatch.setattr(decoding, "_load_one", no_decoding)
    np.testing.assert_array_equal(data.image_array(paths, 8, crop="center"), mapped)
    Image.new("RGB", (20, 26), (0, 255, 0)).save(paths[3])  # an edited image is a different set
    os.utime(paths[3], ns=(1, 1))
    with pytest.raises(AssertionError, match="must not be decoded"):
        data.image_array(paths, 8, crop="center")


def test_an_unreadable_image_leaves_no_cache_behind(tmp_path):
    paths = faces(tmp_path, n=3)
    paths[1].write_bytes(b"not a jpeg")
    with pytest.raises(data.DatasetError, match=r"001.jpg: cannot read image"):
        data.image_array(paths, 8)
    assert not list((tmp_path / "data" / "cache" / "images").glob("*.npy"))


@pytest.mark.parametrize("view", [slice(None), slice(None, -8), slice(3, None, 2)])
def test_streamed_batches_equal_the_in_memory_batches(tmp_path, view):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (53, 6, 6, 3), dtype=np.uint8)
    np.save(tmp_path / "images.npy", images)
    mapped = np.load(tmp_path / "images.npy", mmap_mode="r")[view]
    labels = {"hair": rng.integers(0, 12, 53)[view], "smile": rng.random((53, 1))[view]}
    assert file_rows(mapped) is not None, "slices of a mapped file are streamed"
    streamed = data.image_dataset(mapped, labels, batch_size=5, seed=4).repeat().take(25)
    in_memory = data.image_dataset(np.array(mapped), labels, batch_size=5, seed=4).repeat().take(25)
    for (x1, y1), (x2, y2) in zip(streamed.as_numpy_iterator(), in_memory.as_numpy_iterator(), strict=True):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1["hair"], y2["hair"])
    assert streamed.element_spec[0].shape.as_list() == [5, 6, 6, 3]


def test_arrays_computed_from_a_memory_map_are_not_taken_for_files(tmp_path):
    np.save(tmp_path / "images.npy", np.zeros((4, 2, 2, 3), np.uint8))
    mapped = np.load(tmp_path / "images.npy", mmap_mode="r")
    assert file_rows(mapped[[0, 2]]) is None and file_rows(mapped + 1) is None and file_rows(np.zeros(3)) is None
