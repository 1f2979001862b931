"""Anime renderer: determinism, visible labels, MLDS formats, caching, atomic writes, detector rate."""
from __future__ import annotations

import numpy as np
import pytest

from genlab import data
from genlab.synthetic import anime
from genlab.vocab import EYE_COLORS, HAIR_COLORS


def test_rendering_is_deterministic_per_seed():
    a = np.asarray(anime.render_anime_face(np.random.default_rng(3), "blue", "red"))
    b = np.asarray(anime.render_anime_face(np.random.default_rng(3), "blue", "red"))
    c = np.asarray(anime.render_anime_face(np.random.default_rng(4), "blue", "red"))
    assert a.shape == (64, 64, 3) and a.dtype == np.uint8
    assert (a == b).all() and not (a == c).all()


def test_batch_does_not_depend_on_worker_count():
    x1, h1, e1 = anime.render_anime_batch(12, seed=5, size=32, workers=1)
    x2, h2, e2 = anime.render_anime_batch(12, seed=5, size=32, workers=2)
    assert (x1 == x2).all() and (h1 == h2).all() and (e1 == e2).all()


def nearest(colour, palette):
    names = list(palette)
    distances = [np.abs(np.array(palette[n]) - colour).sum() for n in names]
    return names[int(np.argmin(distances))]


@pytest.mark.parametrize("hair", HAIR_COLORS)
def test_every_hair_colour_is_visible_above_the_face(hair):
    # The top-centre of the head is hair; its colour must be nearest the drawn class.
    image = np.asarray(anime.render_anime_face(np.random.default_rng(0), hair, "blue", size=64)).astype(float)
    patch = image[10:14, 28:36].reshape(-1, 3).mean(axis=0)
    assert nearest(patch, anime.HAIR_PALETTE) == hair


@pytest.mark.parametrize("eye", EYE_COLORS)
def test_every_eye_colour_is_the_most_common_iris_colour(eye):
    image = np.asarray(anime.render_anime_face(np.random.default_rng(1), "white", eye, size=128)).astype(int)
    pixels = image.reshape(-1, 3)
    target = np.array(anime.EYE_PALETTE[eye])
    close = (np.abs(pixels - target).sum(axis=1) < 40).sum()
    assert close > 150, f"too few {eye} iris pixels ({close})"


def test_unknown_colour_is_refused():
    with pytest.raises(ValueError, match="hair colours are"):
        anime.render_anime_face(np.random.default_rng(0), "silver", "red")


def test_mlds_dataset_formats_and_loader_round_trip(tmp_path):
    root = anime.write_mlds_dataset(tmp_path / "mlds", n_faces=40, n_extra=30, seed=0, workers=1)
    lines = (root / "extra_data" / "tags.csv").read_text().splitlines()
    assert len(lines) == 30 and all(line.split(",")[1].split()[1::2] == ["hair", "eyes"] for line in lines)
    assert not any(" gray eyes" in line for line in lines), "extra_data has no gray eyes"
    first = (root / "tags_clean.csv").read_text().splitlines()[0]
    assert all(":" in tag for tag in first.split(",", 1)[1].split("\t"))
    records = data.read_extra_tags(root)
    assert len(records) == 30 and records.paths[0].exists()
    assert data.load_images(records.paths[:2], 64).shape == (2, 64, 64, 3)
    with pytest.warns(UserWarning, match="dropped"):  # the writer adds rows the loader must drop
        faces = data.read_tags_clean(root)
    assert 0 < len(faces) <= 40
    assert data.load_images(faces.paths[:1], 96).shape == (1, 96, 96, 3)


def test_second_write_is_a_cache_hit(tmp_path):
    root = anime.write_mlds_dataset(tmp_path / "mlds", n_faces=4, n_extra=4, workers=1)
    stamp = (root / "extra_data" / "tags.csv").stat().st_mtime_ns
    assert anime.write_mlds_dataset(tmp_path / "mlds", n_faces=4, n_extra=4, workers=1) == root
    assert (root / "extra_data" / "tags.csv").stat().st_mtime_ns == stamp


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(anime, "render_anime_batch", broken)
    with pytest.raises(KeyboardInterrupt):
        anime.write_mlds_dataset(tmp_path / "mlds", n_faces=4, n_extra=4, workers=1)
    assert list(tmp_path.iterdir()) == []


def test_animeface_detects_most_rendered_faces():
    from genlab.evaluation import animeface_hit_rate

    images, _, _ = anime.render_anime_batch(30, seed=11, size=64)
    assert animeface_hit_rate(images, value_range=(0, 255))["rate"] >= 0.7
