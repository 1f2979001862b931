"""The Explore sections' arithmetic, code sweeps, memorisation column and sliders, on models with known answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genlab.recipes import explore
from genlab.report import widgets


class _LinearVAE:
    """A run whose latent mean is an image's three pixels and whose decoder puts them back: edits are exact."""

    class model:
        @staticmethod
        def encode(x):
            return [np.asarray(x).reshape(len(x), 3), None]

    @staticmethod
    def generate(latents):
        return np.asarray(latents, "float32").reshape(-1, 1, 1, 3)


def test_latent_arithmetic_adds_the_with_minus_without_direction_at_each_strength():
    rng = np.random.default_rng(0)
    faces = rng.uniform(0, 1, (40, 1, 1, 3)).astype("float32")
    present = np.arange(40) < 10
    direction = explore.attribute_direction(_LinearVAE, faces, present)
    expected = faces[present].mean(axis=0).ravel() - faces[~present].mean(axis=0).ravel()
    np.testing.assert_allclose(direction, expected, atol=1e-6)
    edited = explore.latent_arithmetic(_LinearVAE, faces[:2], direction, strengths=(0.0, 1.0, 2.0)).reshape(2, 3, 3)
    np.testing.assert_allclose(edited[:, 0], faces[:2].reshape(2, 3), atol=1e-6)  # strength 0: the reconstruction
    np.testing.assert_allclose(edited[:, 2] - edited[:, 1], np.tile(direction, (2, 1)), atol=1e-6)
    with pytest.raises(ValueError, match="with and without"):
        explore.attribute_direction(_LinearVAE, faces, np.ones(40, bool))


def test_latent_interpolation_runs_from_the_first_face_to_the_second():
    a, b = np.zeros((1, 1, 1, 3), "float32"), np.ones((1, 1, 1, 3), "float32")
    path = explore.latent_interpolation(_LinearVAE, a, b, steps=5).reshape(5, 3)
    np.testing.assert_allclose(path[:, 0], [0, 0.25, 0.5, 0.75, 1.0], atol=1e-6)


class _InfoRun:
    """An InfoGAN-shaped run: pixel 0 shows continuous code 1, pixel 1 the category; code 2 and z do nothing."""

    class model:
        latent_dim, n_categories, n_continuous = 4, 3, 2

    @staticmethod
    def signed_sample_of(inputs):
        z, code = inputs
        category = code[:, :3].argmax(axis=1)
        return np.stack([code[:, 3], category - 1.0, np.zeros(len(z))], axis=1).reshape(-1, 1, 1, 3)


class _PixelJudge:
    def predict(self, images):
        return {"attrs": (np.asarray(images).reshape(len(images), 3)[:, :2] + 1) / 2}


def test_each_code_is_named_by_the_attribute_it_controls():
    factors = explore.code_factors(_InfoRun, _PixelJudge(), ["Bright", "Other"], per_value=200, seed=0)
    assert factors["continuous 1"] == ("Bright", pytest.approx(1.0))
    assert factors["categorical"] == ("Other", pytest.approx(1.0))
    assert factors["continuous 2"][1] < 0.15  # moves nothing: only sampling noise


def test_infogan_codes_and_the_continuous_sweep():
    code = explore.infogan_code(_InfoRun, 2, [0, 2], [0.5, -0.5])
    np.testing.assert_array_equal(code, [[1, 0, 0, 0.5, -0.5], [0, 0, 1, 0.5, -0.5]])
    sweep = explore.continuous_sweep(_InfoRun, 0, seed=0, rows=2, values=(-1.0, 0.0, 1.0))
    np.testing.assert_allclose(sweep.reshape(2, 3, 3)[:, :, 0], [[-1, 0, 1], [-1, 0, 1]])


class _FlatFeatures:
    def features(self, images):
        return np.asarray(images, "float32").reshape(len(images), -1)


def test_memorisation_column_is_near_zero_for_copies_and_empty_without_samples():
    rng = np.random.default_rng(3)
    train = rng.integers(0, 256, (100, 2, 2, 3), dtype=np.uint8)
    held_out = rng.integers(0, 256, (50, 2, 2, 3), dtype=np.uint8)
    copies = train[:50].astype("float32") / 127.5 - 1
    table = pd.DataFrame({"fid": [1.0, 2.0, 3.0]}, index=["copying", "fresh", "real"])
    fresh = rng.uniform(-1, 1, (50, 2, 2, 3))
    table = explore.with_memorisation(table, _FlatFeatures(), train, held_out, {"copying": copies, "fresh": fresh})
    column = table[explore.MEMORISATION_COLUMN]
    assert column["copying"] < 0.01 and column["fresh"] > 0.5 and np.isnan(column["real"])


def test_an_explorer_draws_at_build_and_on_every_change_starting_at_the_defaults():
    calls = []

    def draw(seed, strength=0.5):
        calls.append((seed, strength))
        return np.full((2, 8, 8, 3), strength, "float32")

    shown = widgets.Explorer(draw, seed=(0, 9), strength=(0.0, 1.0, 0.1))
    first = shown.picture.value
    assert calls == [(0, 0.5)] and bytes(first).startswith(b"\x89PNG")
    shown.controls["strength"].value = 0.1
    assert calls[-1] == (0, 0.1) and shown.picture.value != first
    assert "strength 0.1: drawn in" in shown.status.value and shown.seconds >= 0
    with pytest.raises(ValueError, match="at least one control"):
        widgets.Explorer(draw)


def test_a_row_of_images_is_drawn_side_by_side_at_the_shown_height():
    from io import BytesIO

    from PIL import Image

    picture = Image.open(BytesIO(widgets.to_png(np.zeros((3, 16, 16, 3)), pixels=48)))
    assert picture.size == (144, 48)


def test_headless_runs_do_not_build_explorers(monkeypatch, capsys):
    monkeypatch.setenv("GENLAB_HEADLESS", "1")
    monkeypatch.delenv(widgets.BUILD_VARIABLE, raising=False)
    assert widgets.explorer(lambda seed: np.zeros((8, 8, 3)), seed=(0, 9)) is None
    assert widgets.HEADLESS_MESSAGE in capsys.readouterr().out
    monkeypatch.setenv(widgets.BUILD_VARIABLE, "1")
    assert isinstance(widgets.explorer(lambda seed: np.zeros((8, 8, 3)), seed=(0, 9)), widgets.Explorer)


def test_photo_face_rates_compare_each_domains_photos_with_the_originals(monkeypatch):
    from genlab.recipes import style_transfer

    # a stand-in cascade: a "face" is an image brighter than mid-grey
    monkeypatch.setattr(style_transfer, "haar_face_rate", lambda images: {"rate": float((np.asarray(images).mean(axis=(1, 2, 3)) > 0).mean())})
    photos = np.stack([np.full((4, 4, 3), 0.5), np.full((4, 4, 3), 0.5)])
    kept, lost = photos, -photos  # one domain keeps both faces, the other loses them
    translated = np.stack([photos, kept, lost], axis=1)
    table = pd.DataFrame(index=["A", "B", "mean"])
    column = style_transfer.with_photo_face_rates(table, photos, translated)["photos (2): Haar face rate / originals"]
    assert column.tolist() == [1.0, 0.0, 0.5]
    no_faces = style_transfer.with_photo_face_rates(pd.DataFrame(index=["A", "B", "mean"]), -photos, translated)
    assert no_faces.iloc[:, 0].isna().all()
