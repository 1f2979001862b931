"""Text-to-image: tag encodings, the tag-conditional GANs, animeface colours."""
from __future__ import annotations

import numpy as np
import pytest

from genlab.data.tags import condition_dim, tag_conditions
from genlab.eval.scores import animeface_agreement, nearest_colour
from genlab.nets import LATENT_DIM
from genlab.profiles import get_profile
from genlab.recipes import builders, registry, text_to_image
from genlab.vocab import EYE_COLORS, HAIR_COLORS, N_EYE, N_HAIR

ALL_HAIR = np.repeat(np.arange(len(HAIR_COLORS)), len(EYE_COLORS))
ALL_EYE = np.tile(np.arange(len(EYE_COLORS)), len(HAIR_COLORS))


def test_joint_encoding_has_one_class_per_pair_and_separate_one_per_colour():
    joint = tag_conditions(ALL_HAIR, ALL_EYE, "joint")
    assert joint.shape == (N_HAIR * N_EYE, N_HAIR * N_EYE) and condition_dim("joint") == N_HAIR * N_EYE
    np.testing.assert_array_equal(joint, np.eye(N_HAIR * N_EYE))  # every pair its own one-hot
    separate = tag_conditions(ALL_HAIR, ALL_EYE, "separate")
    assert separate.shape == (len(ALL_HAIR), N_HAIR + N_EYE) and condition_dim("separate") == N_HAIR + N_EYE
    np.testing.assert_array_equal(separate[:, :N_HAIR].argmax(axis=1), ALL_HAIR)
    np.testing.assert_array_equal(separate[:, N_HAIR:].argmax(axis=1), ALL_EYE)
    np.testing.assert_array_equal(separate.sum(axis=1), 2)


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="joint, separate"):
        tag_conditions([0], [0], "onehot")


@pytest.mark.parametrize("name", text_to_image.RUNS)
def test_tag_gans_condition_the_generator_and_train_one_step(name):
    import tensorflow as tf

    profile = get_profile("smoke")
    spec = registry.get(name)
    kind, encoding = spec.hparams["kind"], spec.hparams["encoding"]
    gan = spec.build(profile, 0, **spec.hparams)
    cond_dim = condition_dim(encoding)
    hair, eye = ALL_HAIR[:8], ALL_EYE[:8]
    conditions = tag_conditions(hair, eye, encoding)
    z = np.zeros((8, LATENT_DIM), "float32")
    images = gan.generate(z, conditions)
    assert images.shape == (8, profile.image_size, profile.image_size, 3)
    # Same z, other tags: a different image, so the generator reads the condition.
    other = tag_conditions((hair + 1) % len(HAIR_COLORS), eye, encoding)
    assert np.abs(np.asarray(gan.generate(z, other)) - np.asarray(images)).max() > 1e-4
    if kind == "acgan":
        # The discriminator sees only the image and names the tags; its head never learns from fakes.
        _logit, class_logits = gan.discriminator(images)
        assert class_logits.shape == (8, cond_dim) and gan.fake_aux_weight == 0.0
        assert gan.groups == ((len(HAIR_COLORS), len(EYE_COLORS)) if encoding == "separate" else (cond_dim,))
    real = tf.constant(np.random.default_rng(0).uniform(-1, 1, images.shape).astype("float32"))
    logs = gan.train_step((real, tf.constant(conditions)))
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert ("aux_real_acc" in logs) == (kind == "acgan")


def test_tag_gan_kind_is_checked():
    with pytest.raises(ValueError, match="'cgan' or 'acgan'"):
        builders.tag_gan(get_profile("smoke"), 0, kind="infogan", encoding="joint", **registry.DCGAN_ADAM)


def test_nearest_colour_names_palette_entries():
    palette = np.array([[0, 0, 0], [255, 0, 0], [0, 0, 255]])
    assert [nearest_colour(rgb, palette) for rgb in ((10, 5, 0), (200, 40, 30), (20, 30, 240))] == [0, 1, 2]


def test_animeface_reads_the_drawn_colours_of_synthetic_faces():
    from genlab.data.synthetic.anime import render_anime_batch

    images, hair, eye = render_anime_batch(12, seed=3, size=64)
    right = animeface_agreement(images, hair, eye, value_range=(0, 255))
    wrong = animeface_agreement(images, (hair + 6) % len(HAIR_COLORS), (eye + 5) % len(EYE_COLORS), value_range=(0, 255))
    assert right["animeface_found"] > 0.5
    assert right["animeface_hair"] > 0.8 and right["animeface_eye"] > 0.6
    assert wrong["animeface_found"] == right["animeface_found"]
    assert wrong["animeface_hair"] < 0.2


def test_animeface_agreement_is_nan_without_faces():
    blank = np.zeros((3, 32, 32, 3), np.uint8)
    result = animeface_agreement(blank, [0, 1, 2], [0, 1, 2], value_range=(0, 255))
    assert result["animeface_found"] == 0 and np.isnan(result["animeface_hair"]) and np.isnan(result["animeface_eye"])


class _FacesOfTheTag:
    """A stand-in run whose samples are the real faces of the requested tag (a perfect tag GAN)."""

    spec = type("Spec", (), {"hparams": {"encoding": "separate"}})()

    def __init__(self, images, records):
        self.images, self.records = images, records

    def sample(self, n, seed, conditions):
        hair, eye = conditions[0, :N_HAIR].argmax(), conditions[0, N_HAIR:].argmax()
        faces = np.flatnonzero((self.records.hair == hair) & (self.records.eye == eye))[:n]
        return self.images[faces].astype("float32") / 127.5 - 1


def test_closing_table_gives_each_tag_its_real_faces_ceiling():
    from genlab.data.mlds import AnimeRecords
    from genlab.data.synthetic.anime import render_anime_face
    from genlab.data.tags import AnimeTags

    tags = [AnimeTags("green", "red"), AnimeTags("blue", "green")]
    rng = np.random.default_rng(5)
    images = np.stack([np.asarray(render_anime_face(rng, t.hair, t.eye, 64)) for t in tags for _ in range(6)])
    hair, eye = (np.repeat([getattr(t, f) for t in tags], 6) for f in ("hair_index", "eye_index"))
    records = AnimeRecords(paths=[], hair=hair, eye=eye)
    unsure = type("Unsure", (), {"predict": lambda self, x: {"hair": np.ones((len(x), N_HAIR)), "eye": np.ones((len(x), N_EYE))}})()
    table = text_to_image.closing_table(_FacesOfTheTag(images, records), "perfect", {}, 0, unsure, images, records,
                                        tags, eval_samples=12, seed=0)
    per_tag = table.loc[[f"{t} (best model)" for t in tags]]
    assert (per_tag["animeface_eye"] > 0.5).all()  # the detector reads these drawn eyes
    np.testing.assert_allclose(per_tag[text_to_image.EYE_CEILING], per_tag["animeface_eye"])
    np.testing.assert_allclose(per_tag[text_to_image.EYE_SHARE], 1.0)
