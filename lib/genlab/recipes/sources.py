"""What each run trains on, and the fixed inputs its sample snapshots follow.

A data source takes the notebook session (for its loaders) and returns ``(uint8 images,
conditions or None)``; a snapshot source takes the seed and returns the sampler's inputs.
"""
from __future__ import annotations

import numpy as np

from genlab.data.tags import AnimeTags, tag_conditions
from genlab.train.driver import fixed_latent
from genlab.vocab import SMILING, STARGAN_DOMAINS

# 3-2's snapshots follow five fixed tags (the report's test tags).
SNAPSHOT_TAGS = tuple(AnimeTags.parse(t) for t in ("blue hair blue eyes", "blue hair green eyes", "blue hair red eyes",
                                                   "green hair blue eyes", "green hair red eyes"))


def anime_faces(session):
    images, _ = session.anime_data()
    return images, None


def anime_tags(encoding: str):
    """The anime faces with their (hair, eye) tags as condition vectors in ``encoding``."""
    def source(session):
        images, records = session.anime_data()
        return images, tag_conditions(records.hair, records.eye, encoding)

    return source


def celeb_faces(session):
    images, _ = session.celeb_data("train")
    return images, None


def celeb_smiling(session):
    images, records = session.celeb_data("train")
    return images, records.column(SMILING)[:, None]


HELD_OUT_MAX = 1000  # StarGAN's held-out faces at most: evaluation stays bounded on the 202,599 of real CelebA


def stargan_split(images: np.ndarray, labels: np.ndarray):
    """``(train_x, test_x, train_c, test_c)``: the last tenth (at least 8, at most HELD_OUT_MAX faces) held out,
    never trained on."""
    n_test = min(max(8, len(images) // 10), HELD_OUT_MAX)
    return images[:-n_test], images[-n_test:], labels[:-n_test], labels[-n_test:]


def stargan_faces(session):
    """The CelebA-format training faces and their five StarGAN domains (held-out faces excluded)."""
    images, records = session.celeba_data()
    train_x, _, train_c, _ = stargan_split(images, records.select(STARGAN_DOMAINS).attrs)
    return train_x, train_c


def tag_snapshots(encoding: str):
    def snapshot(seed: int, latent_dim: int):
        hair = np.array([t.hair_index for t in SNAPSHOT_TAGS])
        eye = np.array([t.eye_index for t in SNAPSHOT_TAGS])
        return [fixed_latent(len(SNAPSHOT_TAGS), latent_dim, seed), tag_conditions(hair, eye, encoding)]

    return snapshot


def smiling_pairs(seed: int, latent_dim: int):
    """Ten noise vectors with Smiling alternating off and on."""
    return [fixed_latent(10, latent_dim, seed), np.tile([[0.0], [1.0]], (5, 1)).astype("float32")]


def infogan_codes(n_categories: int, n_continuous: int) -> np.ndarray:
    """One row per categorical value, continuous codes at zero."""
    return np.concatenate([np.eye(n_categories, dtype="float32"), np.zeros((n_categories, n_continuous), "float32")],
                          axis=1)


def infogan_sweep(n_categories: int, n_continuous: int):
    """One z, each categorical value in turn."""
    def snapshot(seed: int, latent_dim: int):
        return [np.repeat(fixed_latent(1, latent_dim, seed), n_categories, axis=0),
                infogan_codes(n_categories, n_continuous)]

    return snapshot


CALIBRATION_BATCH, CALIBRATION_SEED = 64, 10_000


def calibration_inputs(model, conditions=None):
    """``inputs(i)``: the i-th batch of sampler inputs drawn as in training, to re-estimate BatchNorm statistics.

    z from its prior; conditions drawn from the training conditions; InfoGAN's code from its prior.
    """
    def inputs(i: int):
        z = fixed_latent(CALIBRATION_BATCH, model.latent_dim, CALIBRATION_SEED + i)
        rng = np.random.default_rng(CALIBRATION_SEED + i)
        if hasattr(model, "n_categories"):
            category = np.eye(model.n_categories, dtype="float32")[rng.integers(0, model.n_categories, CALIBRATION_BATCH)]
            continuous = rng.uniform(-1.0, 1.0, (CALIBRATION_BATCH, model.n_continuous)).astype("float32")
            return [z, np.concatenate([category, continuous], axis=1)]
        if conditions is not None:
            return [z, np.asarray(conditions[rng.integers(0, len(conditions), CALIBRATION_BATCH)], dtype="float32")]
        return z

    return inputs
