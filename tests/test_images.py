"""Image decoding, the uint8 image cache and the tf.data pipeline, on small files made here."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image, ImageFile

from genlab import data
from genlab.errors import DatasetError
from test_data import write_image

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# -- images ----------------------------------------------------------------------------------


def noise_jpeg(path, size=64):
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (size, size, 3), dtype=np.uint8)).save(path, quality=95)
    return path


def test_unreadable_image_names_the_file(tmp_path):
    bad = tmp_path / "noise.jpg"
    bad.write_bytes(np.random.default_rng(0).bytes(500))
    with pytest.raises(DatasetError, match="noise.jpg: cannot read image"):
        data.load_images([bad], 8)


def test_truncated_jpeg_is_not_accepted(tmp_path):
    good = noise_jpeg(tmp_path / "good.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert data.load_images([good], 8).shape == (1, 8, 8, 3)
    with pytest.raises(DatasetError, match="cut.jpg: cannot read image"):
        data.load_images([good, cut], 8)


def test_truncated_jpeg_fails_even_if_pillow_was_told_to_tolerate_it(tmp_path, monkeypatch):
    good = noise_jpeg(tmp_path / "good.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(DatasetError, match="cut.jpg: cannot read image"):
        data.load_images([cut], 8)


def test_center_crop_of_a_tall_image(tmp_path):
    image = np.zeros((30, 10, 3), np.uint8)
    image[10:20] = 255  # the centre square is white, the top and bottom black
    path = tmp_path / "tall.png"
    Image.fromarray(image).save(path)
    assert data.load_images([path], 5, crop="center").min() > 200
    assert data.load_images([path], 5).min() < 50


def test_load_images_keeps_order_and_converts_to_rgb(tmp_path):
    grey = tmp_path / "grey.png"
    Image.new("L", (12, 12), 90).save(grey)
    red = write_image(tmp_path / "red.png", colour=(250, 0, 0))
    images = data.load_images([red, grey, red], 6, workers=2)
    assert images.shape == (3, 6, 6, 3) and images.dtype == np.uint8
    assert images[0, 0, 0].tolist() == [250, 0, 0] and images[1, 0, 0].tolist() == [90, 90, 90]


def test_image_cache_is_reused_and_invalidated_by_a_changed_file(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_DATA", str(tmp_path / "data"))
    paths = [write_image(tmp_path / f"{i}.png", colour=(10 * i, 0, 0)) for i in range(3)]
    first = data.load_images(paths, 8, cache=True)
    cached = list((tmp_path / "data" / "cache" / "images").glob("*.npy"))
    assert len(cached) == 1
    np.testing.assert_array_equal(np.load(cached[0]), first)
    np.save(cached[0], first + 1)  # a hit returns the stored array, not a fresh decode
    assert (data.load_images(paths, 8, cache=True) == first + 1).all()
    write_image(paths[1], colour=(0, 200, 0))
    os.utime(paths[1], ns=(1, 1))
    changed = data.load_images(paths, 8, cache=True)
    assert changed[1, 0, 0].tolist() == [0, 200, 0] and (changed[0] == first[0]).all()
    assert data.load_images(paths, 4, cache=True).shape == (3, 4, 4, 3)  # another size is another entry


def test_damaged_image_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_DATA", str(tmp_path / "data"))
    paths = [write_image(tmp_path / "a.png")]
    first = data.load_images(paths, 8, cache=True)
    (cached,) = (tmp_path / "data" / "cache" / "images").glob("*.npy")
    cached.write_bytes(b"not an array")
    np.testing.assert_array_equal(data.load_images(paths, 8, cache=True), first)


# -- tf.data ----------------------------------------------------------------------------------


def counting_images(n=25):
    """Images whose pixel value encodes their index (10 * index)."""
    return np.stack([np.full((4, 4, 3), 10 * v, np.uint8) for v in range(n)])


def epoch_order(dataset):
    return np.concatenate([np.asarray(y) for _, y in dataset.as_numpy_iterator()]).tolist()


def test_image_dataset_scales_batches_and_passes_labels():
    images = counting_images()
    labels = np.arange(len(images), dtype="float64")
    batches = list(data.image_dataset(images, labels, batch_size=5, seed=1).as_numpy_iterator())
    assert len(batches) == 5
    x, y = batches[0]
    assert x.shape == (5, 4, 4, 3) and x.dtype == np.float32 and y.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    np.testing.assert_allclose(x[:, 0, 0, 0], y * 10 / 255 * 2 - 1, atol=1e-6)
    unit = next(iter(data.image_dataset(images, batch_size=25, value_range=(0.0, 1.0)).as_numpy_iterator()))
    np.testing.assert_allclose(np.sort(unit[:, 0, 0, 0]), np.arange(25) * 10 / 255, atol=1e-6)


def test_image_dataset_shuffle_is_seeded_and_reshuffled_each_epoch():
    images, labels = counting_images(), np.arange(25)
    first = epoch_order(data.image_dataset(images, labels, batch_size=5, seed=1))
    assert first == epoch_order(data.image_dataset(images, labels, batch_size=5, seed=1))
    assert first != epoch_order(data.image_dataset(images, labels, batch_size=5, seed=2))
    assert sorted(first) == list(range(25)) and first != list(range(25))
    dataset = data.image_dataset(images, labels, batch_size=5, seed=1)
    assert epoch_order(dataset) != epoch_order(dataset)  # second pass over the same dataset
    assert epoch_order(data.image_dataset(images, labels, batch_size=5, shuffle=False)) == list(range(25))


def test_image_dataset_tuple_and_dict_labels():
    images = counting_images(8)
    hair, smile = np.arange(8), np.eye(8, 2)
    x, (h, s) = next(iter(data.image_dataset(images, (hair, smile), batch_size=4, shuffle=False)))
    assert h.dtype.name == "int64" and h.numpy().tolist() == [0, 1, 2, 3] and s.shape == (4, 2)
    x, y = next(iter(data.image_dataset(images, {"hair": hair, "smile": smile}, batch_size=4, seed=3)))
    np.testing.assert_allclose(x.numpy()[:, 0, 0, 0], y["hair"].numpy() * 10 / 255 * 2 - 1, atol=1e-6)
    assert y["smile"].dtype.name == "float32"


def test_image_dataset_repeat_and_remainder():
    images = counting_images(7)
    assert len(list(data.image_dataset(images, batch_size=3, drop_remainder=False))) == 3
    assert len(list(data.image_dataset(images, batch_size=3))) == 2
    assert len(list(data.image_dataset(images, batch_size=10, repeat=True).take(3))) == 3


def test_image_dataset_refuses_too_few_images():
    with pytest.raises(ValueError, match="only 3 images for batches of 8"):
        data.image_dataset(np.zeros((3, 4, 4, 3), np.uint8), batch_size=8)


def test_image_dataset_label_length_mismatch():
    with pytest.raises(ValueError, match=r"8 images but 7 labels\['smile'\]"):
        data.image_dataset(counting_images(8), {"smile": np.zeros(7)}, batch_size=4)
