"""Procedural celeb faces: determinism, visible attributes, and the DLCV / CelebA file formats."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genlab.data.synthetic import celeb
from genlab.data.synthetic.celeb import (
    COMPLETE_MARKER,
    render_celeb_batch,
    render_celeb_face,
    sample_celeb_attributes,
    write_celeba_dataset,
    write_dlcv_dataset,
)
from genlab.vocab import CELEBA_ATTRIBUTES, DLCV_ATTRIBUTES

BASE_FACE = {"Male": False, "Young": True, "Black_Hair": True}


def _pixels(seed: int, attrs: dict, size: int = 64) -> np.ndarray:
    return np.asarray(render_celeb_face(np.random.default_rng(seed), attrs, size), dtype=np.int32)


def _changed_rows(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Rows (as fractions of the height) holding a pixel that differs."""
    rows, _ = np.nonzero(np.abs(before - after).sum(axis=-1))
    return rows / before.shape[0]


# --- rendering --------------------------------------------------------------------------------


def test_batch_is_deterministic_per_seed_and_well_formed():
    images, labels = render_celeb_batch(6, seed=3)
    again, again_labels = render_celeb_batch(6, seed=3)
    other, _ = render_celeb_batch(6, seed=4)
    assert images.shape == (6, 64, 64, 3) and images.dtype == np.uint8
    assert labels.shape == (6, 40) and labels.dtype == np.float32
    assert set(np.unique(labels)) <= {0.0, 1.0}
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, again_labels)
    assert not np.array_equal(images, other)
    assert len({im.tobytes() for im in images}) == 6


def test_batch_does_not_depend_on_worker_count(monkeypatch):
    monkeypatch.setattr(celeb, "_MIN_IMAGES_FOR_POOL", 0)
    serial = render_celeb_batch(6, seed=9, size=32, workers=1)
    pooled = render_celeb_batch(6, seed=9, size=32, workers=2)
    np.testing.assert_array_equal(serial[0], pooled[0])
    np.testing.assert_array_equal(serial[1], pooled[1])


@pytest.mark.parametrize(
    "attribute, low, high",
    [
        # attribute flipped off -> on: every changed row must lie in [low, high] of the height
        ("Smiling", 0.55, 0.85),
        ("Mouth_Slightly_Open", 0.55, 0.85),
        ("Wearing_Lipstick", 0.55, 0.85),
        ("Big_Lips", 0.55, 0.85),
        ("Heavy_Makeup", 0.3, 0.6),
        ("Eyeglasses", 0.3, 0.62),
        ("Narrow_Eyes", 0.35, 0.6),
        ("Arched_Eyebrows", 0.25, 0.52),
        ("High_Cheekbones", 0.4, 0.72),
        ("Bangs", 0.1, 0.5),
        ("Goatee", 0.6, 0.95),
    ],
)
def test_flipping_an_attribute_changes_only_its_region(attribute, low, high):
    for seed in range(8):
        off = _pixels(seed, {**BASE_FACE, attribute: False})
        on = _pixels(seed, {**BASE_FACE, attribute: True})
        rows = _changed_rows(off, on)
        assert rows.size > 0, f"{attribute} drew nothing (seed {seed})"
        assert rows.min() >= low and rows.max() <= high, (attribute, seed, rows.min(), rows.max())


def test_smiling_changes_the_mouth_but_not_the_hair():
    for seed in range(5):
        neutral = _pixels(seed, {**BASE_FACE, "Smiling": False})
        smiling = _pixels(seed, {**BASE_FACE, "Smiling": True})
        np.testing.assert_array_equal(neutral[:26], smiling[:26])  # hair and eyes
        mouth = (slice(40, 50), slice(22, 42))
        assert np.abs(neutral[mouth] - smiling[mouth]).mean() > 8
        # teeth: a smile shows bright unsaturated pixels in the mouth box
        whiteness = lambda im: im.min(axis=-1) - np.ptp(im, axis=-1)
        assert (whiteness(smiling[mouth]) > 140).sum() >= (whiteness(neutral[mouth]) > 140).sum() + 4


def test_lipstick_reddens_the_lips():
    for seed in range(5):
        plain = _pixels(seed, {**BASE_FACE, "Wearing_Lipstick": False})
        red = _pixels(seed, {**BASE_FACE, "Wearing_Lipstick": True})
        changed = np.abs(plain - red).sum(axis=-1) > 0
        redness = lambda im: (im[..., 0] - im[..., 1:].mean(axis=-1))[changed].mean()
        assert redness(red) > redness(plain) + 20


def test_hair_colour_classes_have_distinct_mean_colours():
    groups = {"Black_Hair": {"Black_Hair": True}, "Brown_Hair": {"Brown_Hair": True},
              "Blond_Hair": {"Blond_Hair": True}, "other": {}}
    means = {name: [] for name in groups}
    for seed in range(6):
        face = {"Male": bool(seed % 2), "Young": True}
        renders = {name: _pixels(seed, {**face, **extra}) for name, extra in groups.items()}
        hair = np.abs(renders["Black_Hair"] - renders["Blond_Hair"]).sum(axis=-1) > 60  # hair pixels
        assert hair[:16].mean() > 0.12, "hair should fill much of the top of the picture"
        mouth = (slice(42, 48), slice(26, 38))
        np.testing.assert_array_equal(renders["Black_Hair"][mouth], renders["Blond_Hair"][mouth])
        for name, image in renders.items():
            means[name].append(image[hair].mean(axis=0))
    mean = {name: np.mean(values, axis=0) for name, values in means.items()}
    brightness = {name: m.mean() for name, m in mean.items()}
    assert brightness["Black_Hair"] + 30 < brightness["Brown_Hair"] < brightness["Blond_Hair"] - 30
    red, green, _ = mean["other"]
    assert red > green + 50, "hair without a labelled colour is drawn red"
    names = list(mean)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            assert np.linalg.norm(mean[first] - mean[second]) > 40, (first, second)


def test_sampled_attributes_are_consistent_and_realistically_balanced():
    rng = np.random.default_rng(0)
    rows = [sample_celeb_attributes(rng) for _ in range(3000)]
    table = {name: np.array([r[name] for r in rows]) for name in CELEBA_ATTRIBUTES}
    male = table["Male"]
    assert 0.38 < male.mean() < 0.52
    assert 0.42 < table["Smiling"].mean() < 0.54
    assert 0.7 < table["Young"].mean() < 0.85
    assert table["Wearing_Lipstick"][male].mean() < 0.03 and table["Wearing_Lipstick"][~male].mean() > 0.5
    assert table["Heavy_Makeup"][male].mean() < 0.02 and table["Heavy_Makeup"][~male].mean() > 0.5
    assert not (table["Goatee"] | table["Mustache"])[~male].any()
    np.testing.assert_array_equal(table["No_Beard"], ~(table["Goatee"] | table["Mustache"]))
    hair_colours = table["Black_Hair"].astype(int) + table["Blond_Hair"] + table["Brown_Hair"] + table["Gray_Hair"]
    assert hair_colours.max() == 1 and (hair_colours == 0).any()
    assert not (table["Straight_Hair"] & table["Wavy_Hair"]).any()
    for name in ("Black_Hair", "Blond_Hair", "Brown_Hair"):
        assert 0.12 < table[name].mean() < 0.4, name
    assert not table["Attractive"].any(), "Attractive is not drawn, so never set"
    for name in CELEBA_ATTRIBUTES:
        if name != "Attractive":
            assert table[name].any(), f"{name} never sampled"


def test_bad_attribute_sets_are_rejected():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="hair colour"):
        render_celeb_face(rng, {"Black_Hair": True, "Blond_Hair": True})
    with pytest.raises(ValueError, match="Smilling"):
        render_celeb_face(rng, {"Smilling": True})
    with pytest.raises(ValueError, match="No_Beard"):
        render_celeb_face(rng, {"Male": True, "Goatee": True, "No_Beard": True})


def test_logistic_regression_learns_smiling_male_and_hair_from_16px():
    from sklearn.linear_model import LogisticRegression

    images, labels = render_celeb_batch(600, seed=21)
    small = np.stack([np.asarray(Image.fromarray(im).resize((16, 16), Image.BOX)) for im in images])
    features = small.reshape(len(small), -1).astype(np.float32) / 255.0
    train, test = slice(0, 450), slice(450, None)

    def accuracy(target: np.ndarray) -> tuple[float, float]:
        model = LogisticRegression(max_iter=2000, C=0.3).fit(features[train], target[train])
        chance = np.bincount(target[test]).max() / len(target[test])
        return model.score(features[test], target[test]), chance

    column = {name: labels[:, CELEBA_ATTRIBUTES.index(name)].astype(int) for name in CELEBA_ATTRIBUTES}
    for name in ("Smiling", "Male"):
        acc, chance = accuracy(column[name])
        assert acc > chance + 0.25, (name, acc, chance)
    hair_class = column["Black_Hair"] + 2 * column["Blond_Hair"] + 3 * column["Brown_Hair"]
    acc, chance = accuracy(hair_class)
    assert acc > chance + 0.3, ("hair colour", acc, chance)


# --- on-disk formats --------------------------------------------------------------------------


def test_dlcv_dataset_has_the_real_layout_and_values(tmp_path):
    root = write_dlcv_dataset(tmp_path / "dlcv", n_train=5, n_test=3, seed=2, workers=1)
    data = root / "hw4_data"
    assert sorted(p.name for p in (data / "train").iterdir()) == [f"0000{i}.png" for i in range(5)]
    assert sorted(p.name for p in (data / "test").iterdir()) == ["00005.png", "00006.png", "00007.png"]

    images, labels = render_celeb_batch(8, seed=2)
    columns = [CELEBA_ATTRIBUTES.index(name) for name in DLCV_ATTRIBUTES]
    for split, indices in (("train", range(5)), ("test", range(5, 8))):
        lines = (data / f"{split}.csv").read_text().splitlines()
        assert lines[0] == ("image_name,Bangs,Big_Lips,Black_Hair,Blond_Hair,Brown_Hair,Heavy_Makeup,"
                            "High_Cheekbones,Male,Mouth_Slightly_Open,Smiling,Straight_Hair,Wavy_Hair,Wearing_Lipstick")
        assert len(lines) == 1 + len(indices)
        for line, index in zip(lines[1:], indices):
            name, *values = line.split(",")
            assert name == f"{index:05d}.png"
            assert len(values) == 13 and set(values) <= {"0.0", "1.0"}
            assert [float(v) for v in values] == labels[index, columns].tolist()
            with Image.open(data / split / name) as image:
                assert image.format == "PNG" and image.mode == "RGB" and image.size == (64, 64)
                np.testing.assert_array_equal(np.asarray(image), images[index])  # lossless


def test_celeba_dataset_has_the_real_layout_and_values(tmp_path):
    root = write_celeba_dataset(tmp_path / "celeba", n=4, seed=5, image_size=32, workers=1)
    names = sorted(p.name for p in (root / "img_align_celeba").iterdir())
    assert names == ["000001.jpg", "000002.jpg", "000003.jpg", "000004.jpg"]
    with Image.open(root / "img_align_celeba" / "000001.jpg") as image:
        assert image.format == "JPEG" and image.size == (32, 32)

    lines = (root / "list_attr_celeba.txt").read_text().splitlines()
    assert lines[0] == "4"
    assert lines[1].split() == list(CELEBA_ATTRIBUTES)
    _, labels = render_celeb_batch(4, seed=5, size=32)
    assert len(lines) == 6
    for i, line in enumerate(lines[2:]):
        # the real file right-aligns values: "000001.jpg -1  1  1 -1 ..."
        assert re.fullmatch(r"\d{6}\.jpg( -1|  1){40}", line), line
        name, *values = line.split()
        assert name == f"{i + 1:06d}.jpg"
        assert [int(v) for v in values] == [1 if v else -1 for v in labels[i]]


def test_complete_dataset_is_returned_from_cache(tmp_path, monkeypatch):
    root = write_dlcv_dataset(tmp_path / "dlcv", n_train=3, n_test=1, workers=1)
    assert (root / COMPLETE_MARKER).is_file()
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}

    def must_not_render(*args, **kwargs):
        raise AssertionError("a cached dataset was rendered again")

    monkeypatch.setattr(celeb, "render_celeb_face", must_not_render)
    assert write_dlcv_dataset(tmp_path / "dlcv", n_train=3, n_test=1, workers=1) == root
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before


def test_interrupted_write_leaves_no_root_and_no_temp_folder(tmp_path, monkeypatch):
    real_render = celeb.render_celeb_face
    calls = []

    def crash_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_render(*args, **kwargs)

    monkeypatch.setattr(celeb, "render_celeb_face", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        write_celeba_dataset(tmp_path / "celeba", n=5, image_size=32, workers=1)
    assert list(tmp_path.iterdir()) == []


def test_partial_root_without_marker_is_replaced(tmp_path):
    root = tmp_path / "dlcv"
    (root / "hw4_data").mkdir(parents=True)
    (root / "hw4_data" / "leftover.txt").write_text("from a crashed writer")
    write_dlcv_dataset(root, n_train=2, n_test=1, workers=1)
    assert (root / COMPLETE_MARKER).is_file()
    assert not (root / "hw4_data" / "leftover.txt").exists()
    assert len(list((root / "hw4_data" / "train").iterdir())) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["dlcv"]


def test_invalid_sizes_are_rejected(tmp_path):
    with pytest.raises(ValueError):
        write_dlcv_dataset(tmp_path / "a", n_train=0, n_test=1)
    with pytest.raises(ValueError):
        write_dlcv_dataset(tmp_path / "b", n_train=99_999, n_test=2)
    with pytest.raises(ValueError):
        write_celeba_dataset(tmp_path / "c", n=0)
    assert not any(Path(tmp_path).iterdir())


def test_embedded_folder_changes_when_the_renderer_source_changes(monkeypatch):
    import genlab.data.synthetic as S

    before = S.embedded_root("dlcv", 100, seed=3)
    assert before.name.startswith("dlcv-n100-seed3-") and before == S.embedded_root("dlcv", 100, seed=3)
    assert S.embedded_root("celeba", 100, seed=3).name.endswith(before.name.rsplit("-", 1)[1])
    fingerprint = S.embedded_fingerprint()
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: real_read(self) + b"# edited\n")
    assert S.embedded_root("dlcv", 100, seed=3) != before
    assert S.embedded_fingerprint() != fingerprint  # runs and classifier caches are keyed on it
    with pytest.raises(ValueError, match="unknown embedded dataset"):
        S.embedded_root("faces", 100)
