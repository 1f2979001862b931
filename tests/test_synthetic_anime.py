"""Anime renderer: determinism, visible labels, balanced labels, MLDS formats, caching, atomic
writes, and the animeface detector's rate on the renders."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from PIL import Image

from genlab.data.synthetic import anime
from genlab.vocab import EYE_COLORS, HAIR_COLORS


def render(seed: int, hair: str, eye: str, size: int = 64) -> np.ndarray:
    return np.asarray(anime.render_anime_face(np.random.default_rng(seed), hair, eye, size))


def test_rendering_is_deterministic_per_seed_and_differs_across_seeds():
    image = anime.render_anime_face(np.random.default_rng(3), "blue", "red")
    assert image.mode == "RGB" and image.size == (64, 64)
    a, b, c = np.asarray(image), render(3, "blue", "red"), render(4, "blue", "red")
    assert (a == b).all()
    assert np.abs(a.astype(int) - c).mean() > 5


@pytest.mark.parametrize("size", [32, 96])
def test_other_sizes(size):
    assert render(0, "pink", "green", size).shape == (size, size, 3)


def nearest(colour, palette: dict) -> str:
    names = list(palette)
    return names[int(np.argmin([np.abs(np.subtract(palette[n], colour)).sum() for n in names]))]


def changed_region_colour(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Median colour of ``first`` over the pixels where the two renders differ."""
    changed = np.abs(first.astype(int) - second).sum(axis=-1) > 30
    assert changed.sum() > 100, "too few pixels carry the label"
    return np.median(first[changed], axis=0)


# The same seed draws the same face whatever the colours, so the pixels that change when only
# the hair (eye) colour changes are the hair (iris); their colour must be nearest the class.
@pytest.mark.parametrize("hair", HAIR_COLORS)
def test_every_hair_colour_is_visibly_drawn(hair):
    other = HAIR_COLORS[(HAIR_COLORS.index(hair) + 1) % len(HAIR_COLORS)]
    for seed in range(3):
        colour = changed_region_colour(render(seed, hair, "red"), render(seed, other, "red"))
        assert nearest(colour, anime.HAIR_PALETTE) == hair, f"seed {seed}: hair drawn as {colour}"


@pytest.mark.parametrize("eye", EYE_COLORS)
def test_every_eye_colour_is_visibly_drawn(eye):
    other = EYE_COLORS[(EYE_COLORS.index(eye) + 1) % len(EYE_COLORS)]
    for seed in range(3):
        colour = changed_region_colour(render(seed, "brown", eye), render(seed, "brown", other))
        assert nearest(colour, anime.EYE_PALETTE) == eye, f"seed {seed}: iris drawn as {colour}"


def test_hair_colour_above_the_eyes_separates_all_classes_at_32px():
    # The fringe area of a 32 px render, averaged, is nearest its own class for every image.
    images, hair, _ = anime.render_anime_batch(240, seed=2, size=32)
    patch = images[:, 5:8, 13:19].reshape(len(images), -1, 3).mean(axis=1)
    palette = np.array([anime.HAIR_PALETTE[c] for c in HAIR_COLORS], float)
    predicted = np.abs(patch[:, None] - palette[None]).sum(axis=-1).argmin(axis=1)
    assert (predicted == hair).mean() > 0.97


def test_unknown_colour_is_refused():
    with pytest.raises(ValueError, match="hair colours are"):
        anime.render_anime_face(np.random.default_rng(0), "silver", "red")
    with pytest.raises(ValueError, match="eye colours are"):
        anime.render_anime_face(np.random.default_rng(0), "red", "silver")


def test_batch_labels_cover_every_combination_evenly():
    images, hair, eye = anime.render_anime_batch(2 * 12 * 10, seed=1, size=32, n_eye_colours=10)
    assert images.shape == (240, 32, 32, 3) and images.dtype == np.uint8
    assert set(Counter(zip(hair.tolist(), eye.tolist())).values()) == {2}
    assert "gray" not in {EYE_COLORS[e] for e in eye}
    # Image i is the single render of its labels with rng (seed, i).
    assert (images[5] == render((1, 5), HAIR_COLORS[hair[5]], EYE_COLORS[eye[5]], 32)).all()


def test_batch_does_not_depend_on_the_process_pool(monkeypatch):
    monkeypatch.setattr(anime, "_POOL_THRESHOLD", 0)
    x1, h1, e1 = anime.render_anime_batch(10, seed=5, size=32, workers=1)
    x2, h2, e2 = anime.render_anime_batch(10, seed=5, size=32, workers=2)
    assert (x1 == x2).all() and (h1 == h2).all() and (e1 == e2).all()


# -- on-disk MLDS formats ------------------------------------------------------------------


def parse_tags_clean(path):
    rows = {}
    for line in path.read_text().splitlines():
        ident, rest = line.split(",", 1)
        tags = {}
        for item in rest.split("\t"):
            name, count = item.rsplit(":", 1)
            assert count.isdigit(), line
            tags[name] = int(count)
        rows[int(ident)] = tags
    return rows


def test_mlds_dataset_is_written_in_the_real_formats(tmp_path):
    root = anime.write_mlds_dataset(tmp_path / "mlds", n_faces=200, n_extra=30, seed=0, workers=1)
    assert root == tmp_path / "mlds" and (root / anime.COMPLETE_MARKER).exists()

    rows = parse_tags_clean(root / "tags_clean.csv")
    assert sorted(rows) == list(range(200))
    for ident in rows:
        with Image.open(root / "faces" / f"{ident}.jpg") as image:
            assert image.format == "JPEG" and image.size == (96, 96) and image.mode == "RGB"
    hair_counts = [sum(name.split()[0] in HAIR_COLORS for name in tags if name.endswith(" hair")) for tags in rows.values()]
    eye_counts = [sum(name.split()[0] in EYE_COLORS for name in tags if name.endswith(" eyes")) for tags in rows.values()]
    all_tags = Counter(name for tags in rows.values() for name in tags)
    assert Counter(hair_counts).keys() == {1, 2}, "some rows must carry two hair colours"
    assert Counter(eye_counts).keys() == {0, 1}, "some rows must lack an eye colour"
    assert all_tags["gray eyes"] > 0 and all_tags["bicolored eyes"] > 0
    assert all_tags["long hair"] > 0 and all_tags["short hair"] > 0
    assert any(not (name.endswith((" hair", " eyes"))) for name in all_tags)

    lines = (root / "extra_data" / "tags.csv").read_text().splitlines()
    assert len(lines) == 30
    for line in lines:
        ident, text = line.split(",")
        hair, hair_word, eye, eye_word = text.split(" ")
        assert (hair_word, eye_word) == ("hair", "eyes")
        assert hair in HAIR_COLORS and eye in EYE_COLORS and eye != "gray"
        with Image.open(root / "extra_data" / "images" / f"{ident}.jpg") as image:
            assert image.size == (64, 64) and image.mode == "RGB"


def test_the_loaders_read_what_the_writer_wrote(tmp_path):
    from genlab import data

    root = anime.write_mlds_dataset(tmp_path / "mlds", n_faces=120, n_extra=12, seed=1, workers=1)
    assert len(data.read_extra_tags(root)) == 12
    with pytest.warns(UserWarning, match="dropped"):
        faces = data.read_tags_clean(root)
    assert 90 < len(faces) < 120


def test_second_write_is_a_cache_hit(tmp_path):
    root = anime.write_mlds_dataset(tmp_path / "mlds", n_faces=4, n_extra=4, workers=1)
    stamps = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    assert anime.write_mlds_dataset(tmp_path / "mlds", n_faces=4, n_extra=4, workers=1) == root
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == stamps


def test_incomplete_root_is_replaced(tmp_path):
    (tmp_path / "mlds" / "faces").mkdir(parents=True)
    (tmp_path / "mlds" / "faces" / "stale.jpg").write_bytes(b"")
    root = anime.write_mlds_dataset(tmp_path / "mlds", n_faces=3, n_extra=3, workers=1)
    assert sorted(p.name for p in (root / "faces").iterdir()) == ["0.jpg", "1.jpg", "2.jpg"]


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    write_images = anime._write_images
    calls = []

    def interrupted_after_the_faces(folder, images):
        calls.append(folder)
        if len(calls) == 2:  # faces/ is on disk; stop before extra_data/
            raise KeyboardInterrupt
        write_images(folder, images)

    monkeypatch.setattr(anime, "_write_images", interrupted_after_the_faces)
    with pytest.raises(KeyboardInterrupt):
        anime.write_mlds_dataset(tmp_path / "mlds", n_faces=4, n_extra=4, workers=1)
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []


def test_animeface_finds_most_rendered_faces():
    from genlab.eval.detectors import animeface_hit_rate

    images, _, _ = anime.render_anime_batch(24, seed=11, size=64)
    assert animeface_hit_rate(images, value_range=(0, 255))["rate"] >= 0.75
