"""The notebooks' Explore sections: latent walks and the memorisation check, shared by the GAN notebooks."""
from __future__ import annotations

import numpy as np

from genlab.data.ranges import to_float, to_signed
from genlab.data.tags import tag_conditions
from genlab.eval.latent_walk import walks
from genlab.eval.memorisation import memorisation_report, nearest_training
from genlab.train.driver import fixed_latent
from genlab.vocab import N_EYE, N_HAIR

WALK_ROWS, WALK_STEPS = 8, 10
NEAREST_SHOWN = 8
MEMORISATION_COLUMN = "nearest-training distance, generated / held-out"


def latent_walk(run, seed: int, rows: int = WALK_ROWS, steps: int = WALK_STEPS) -> np.ndarray:
    """``rows`` spherical walks of ``steps`` images between pairs of z drawn from ``seed``, in [-1, 1]."""
    ends = fixed_latent(2 * rows, run.model.latent_dim, seed)
    return run.signed_sample_of(walks(ends[:rows], ends[rows:], steps))


def memorisation(classifier, train_images: np.ndarray, held_out_images: np.ndarray, fakes: dict) -> dict:
    """``{label: memorisation_report}`` for each model's samples ([-1, 1]) against uint8 training and held-out faces."""
    train = classifier.features(to_float(train_images))
    held_out = classifier.features(to_float(held_out_images))
    return {label: memorisation_report(train, classifier.features(to_signed(fake)), held_out)
            for label, fake in fakes.items()}


def nearest_pairs(classifier, train_images: np.ndarray, samples: np.ndarray, n: int = NEAREST_SHOWN) -> np.ndarray:
    """2 x ``n`` images for a grid: ``n`` samples ([-1, 1]) on top, their nearest training faces below."""
    samples = to_signed(samples[:n])
    _, indices = nearest_training(classifier.features(to_float(train_images)), classifier.features(samples))
    return np.concatenate([samples, to_float(train_images[indices])])


def every_tag(run, encoding: str, seed: int) -> np.ndarray:
    """One z drawn from ``seed``, every hair colour (rows) x every eye colour (columns), in [-1, 1]."""
    hair, eye = np.repeat(np.arange(N_HAIR), N_EYE), np.tile(np.arange(N_EYE), N_HAIR)
    z = np.repeat(fixed_latent(1, run.model.latent_dim, seed), len(hair), axis=0)
    return run.signed_sample_of([z, tag_conditions(hair, eye, encoding)])


def condition_walk(run, start: np.ndarray, end: np.ndarray, seed: int, rows: int = 4, steps: int = WALK_STEPS) -> np.ndarray:
    """``rows`` z (one per row), each with the condition moved in a straight line from ``start`` to ``end``."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    conditions = ((1 - t) * np.asarray(start, "float32") + t * np.asarray(end, "float32")).astype("float32")
    z = np.repeat(fixed_latent(rows, run.model.latent_dim, seed), steps, axis=0)
    return run.signed_sample_of([z, np.tile(conditions, (rows, 1))])
