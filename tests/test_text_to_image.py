"""Text-to-image helpers: tag encodings in TensorFlow, the tag-conditional GANs, animeface colours."""
from __future__ import annotations

import numpy as np
import pytest

from genlab import experiments as X
from genlab import text_to_image as TTI
from genlab.vocab import EYE_COLORS, HAIR_COLORS

ALL_HAIR = np.repeat(np.arange(len(HAIR_COLORS)), len(EYE_COLORS))
ALL_EYE = np.tile(np.arange(len(EYE_COLORS)), len(HAIR_COLORS))


@pytest.mark.parametrize("encoding", ["joint", "separate"])
def test_tags_round_trip_through_the_numpy_encoding(encoding):
    conditions = X.tag_conditions(ALL_HAIR, ALL_EYE, encoding)
    hair, eye = TTI.decode_tags(conditions, encoding)
    np.testing.assert_array_equal(hair, ALL_HAIR)
    np.testing.assert_array_equal(eye, ALL_EYE)
    np.testing.assert_array_equal(TTI.encode_tags(hair, eye, encoding), conditions)


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="joint.*separate"):
        TTI.decode_tags(np.zeros((1, 3), "float32"), "onehot")


@pytest.mark.parametrize("kind, encoding", [("cgan", "joint"), ("acgan", "joint"), ("acgan", "separate")])
def test_tag_gans_condition_the_generator_and_train_one_step(kind, encoding):
    import tensorflow as tf

    from genlab.profiles import get_profile

    profile = get_profile("smoke")
    gan = TTI.build_tag_gan(profile, kind, encoding, seed=0)
    cond_dim = X.condition_dim(encoding)
    hair, eye = ALL_HAIR[:8], ALL_EYE[:8]
    conditions = X.tag_conditions(hair, eye, encoding)
    z = np.zeros((8, TTI.LATENT_DIM), "float32")
    images = gan.generate(z, conditions)
    assert images.shape == (8, profile.image_size, profile.image_size, 3)
    # Same z, other tags: a different image, so the generator reads the condition.
    other = X.tag_conditions((hair + 1) % len(HAIR_COLORS), eye, encoding)
    assert np.abs(np.asarray(gan.generate(z, other)) - np.asarray(images)).max() > 1e-4
    if kind == "acgan":
        # The discriminator sees only the image and names the tags; its head never learns from fakes.
        logit, class_logits = gan.discriminator(images)
        assert class_logits.shape == (8, cond_dim) and gan.fake_aux_weight == 0.0
        assert gan.groups == ((len(HAIR_COLORS), len(EYE_COLORS)) if encoding == "separate" else (cond_dim,))
    real = tf.constant(np.random.default_rng(0).uniform(-1, 1, images.shape).astype("float32"))
    logs = gan.train_step((real, tf.constant(conditions)))
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert ("aux_real_acc" in logs) == (kind == "acgan")


def test_tag_gan_kind_is_checked():
    from genlab.profiles import get_profile

    with pytest.raises(ValueError, match="cgan, acgan"):
        TTI.build_tag_gan(get_profile("smoke"), "infogan", "joint", seed=0)


def test_nearest_colour_names_palette_entries():
    palette = np.array([[0, 0, 0], [255, 0, 0], [0, 0, 255]])
    assert [TTI.nearest_colour(rgb, palette) for rgb in ((10, 5, 0), (200, 40, 30), (20, 30, 240))] == [0, 1, 2]


def test_animeface_reads_the_drawn_colours_of_synthetic_faces():
    from genlab.synthetic.anime import render_anime_batch

    images, hair, eye = render_anime_batch(12, seed=3, size=64)
    right = TTI.animeface_agreement(images, hair, eye, value_range=(0, 255))
    wrong = TTI.animeface_agreement(images, (hair + 6) % len(HAIR_COLORS), (eye + 5) % len(EYE_COLORS), value_range=(0, 255))
    assert right["animeface_found"] > 0.5
    assert right["animeface_hair"] > 0.8 and right["animeface_eye"] > 0.6
    assert wrong["animeface_found"] == right["animeface_found"]
    assert wrong["animeface_hair"] < 0.2


def test_animeface_agreement_is_nan_without_faces():
    blank = np.zeros((3, 32, 32, 3), np.uint8)
    result = TTI.animeface_agreement(blank, [0, 1, 2], [0, 1, 2], value_range=(0, 255))
    assert result["animeface_found"] == 0 and np.isnan(result["animeface_hair"]) and np.isnan(result["animeface_eye"])
