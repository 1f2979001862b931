"""The notebooks' Explore sections: latent walks, latent arithmetic, code sweeps and the memorisation check."""
from __future__ import annotations

import numpy as np

from genlab.data.ranges import UNIT, to_float, to_signed
from genlab.data.tags import tag_conditions
from genlab.eval.factors import attribute_spread
from genlab.eval.latent_walk import walks
from genlab.eval.memorisation import memorisation_report, nearest_training
from genlab.recipes.celeb import latent_means
from genlab.train.driver import fixed_latent
from genlab.vocab import N_EYE, N_HAIR

WALK_ROWS, WALK_STEPS = 8, 10
NEAREST_SHOWN = 8
MEMORISATION_COLUMN = "nearest-training distance, generated / held-out"
ARITHMETIC_STRENGTHS = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)  # multiples of an attribute's latent direction
VAE_ATTRIBUTES = ("Smiling", "Blond_Hair")  # the VAE's latent arithmetic: a change of expression, of colour
DIRECTION_FACES = 2000  # training faces an attribute's direction is averaged over
EFFECT_FACES = 100  # test faces without the attribute whose edits the classifier judges
CODE_VALUES = np.linspace(-1.0, 1.0, 9)  # InfoGAN's continuous codes: their prior's whole range, uniform(-1, 1)


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


def with_memorisation(table, classifier, train_images: np.ndarray, held_out_images: np.ndarray, fakes: dict):
    """``table`` with the memorisation column, for the rows whose label has samples in ``fakes`` (others empty)."""
    copying = memorisation(classifier, train_images, held_out_images, fakes)
    table[MEMORISATION_COLUMN] = [copying[label]["generated / held-out"] if label in copying else None
                                  for label in table.index]
    return table


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


# -- the VAE: arithmetic and interpolation in the latent means ---------------------------------
def attribute_direction(run, images01: np.ndarray, present) -> np.ndarray:
    """Mean latent of the faces with the attribute minus that of the faces without it."""
    present = np.asarray(present).astype(bool)
    if present.all() or not present.any():
        raise ValueError(f"an attribute direction needs faces with and without it; {int(present.sum())} of {len(present)} have it")
    means = latent_means(run, images01)
    return means[present].mean(axis=0) - means[~present].mean(axis=0)


def latent_arithmetic(run, faces01: np.ndarray, direction: np.ndarray, strengths=ARITHMETIC_STRENGTHS) -> np.ndarray:
    """Each face (a row) decoded from its latent mean plus ``strength`` x ``direction`` (the columns), in [0, 1]."""
    means = latent_means(run, faces01)
    moved = means[:, None, :] + np.asarray(strengths, "float32")[None, :, None] * direction[None, None, :]
    return run.generate(moved.reshape(-1, means.shape[1]).astype("float32"))


def latent_interpolation(run, start01: np.ndarray, end01: np.ndarray, steps: int = WALK_STEPS) -> np.ndarray:
    """Rows of ``steps`` decodings on the straight line between two faces' latent means, in [0, 1]."""
    start, end = latent_means(run, start01), latent_means(run, end01)
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[None, :, None]
    return run.generate(((1 - t) * start[:, None] + t * end[:, None]).reshape(-1, start.shape[1]))


def arithmetic_effect(classifier, edited01: np.ndarray, strengths, names, attributes) -> dict:
    """``{attribute: [mean P(attribute) at each strength]}`` for a (faces x strengths) grid from :func:`latent_arithmetic`."""
    probs = classifier.predict(to_signed(edited01, UNIT))["attrs"].reshape(-1, len(strengths), len(names))
    return {a: [float(p) for p in probs[:, :, list(names).index(a)].mean(axis=0)] for a in attributes}


# -- InfoGAN: what each part of the code does ----------------------------------------------------
def infogan_code(run, n: int, category, continuous) -> np.ndarray:
    """``n`` InfoGAN codes: the one-hot ``category`` and the ``continuous`` values (each one value or one per row)."""
    category = np.broadcast_to(np.asarray(category), (n,))
    continuous = np.broadcast_to(np.asarray(continuous, "float32"), (n, run.model.n_continuous))
    return np.concatenate([np.eye(run.model.n_categories, dtype="float32")[category], continuous], axis=1)


def continuous_sweep(run, index: int, seed: int, rows: int = 4, values=CODE_VALUES) -> np.ndarray:
    """``rows`` z (each with its own category), continuous code ``index`` swept over ``values``; others at 0."""
    z = np.repeat(fixed_latent(rows, run.model.latent_dim, seed), len(values), axis=0)
    category = np.repeat(np.arange(rows) % run.model.n_categories, len(values))
    continuous = np.zeros((len(z), run.model.n_continuous), "float32")
    continuous[:, index] = np.tile(values, rows)
    return run.signed_sample_of([z, infogan_code(run, len(z), category, continuous)])


def code_factors(run, classifier, names, per_value: int, seed: int, values=CODE_VALUES) -> dict:
    """``{code: (attribute, spread)}``: for the categorical code and each continuous one, the attribute whose
    judged probability moves most across the code's values (z and the other codes random in every sample)."""
    m = run.model
    rng = np.random.default_rng(seed)
    swept = [("categorical", None)] + [(f"continuous {i + 1}", i) for i in range(m.n_continuous)]
    factors = {}
    for k, (code, index) in enumerate(swept):
        ids = np.repeat(np.arange(m.n_categories if index is None else len(values)), per_value)
        category = ids if index is None else rng.integers(0, m.n_categories, len(ids))
        continuous = rng.uniform(-1.0, 1.0, (len(ids), m.n_continuous)).astype("float32")
        if index is not None:
            continuous[:, index] = np.asarray(values, "float32")[ids]
        z = fixed_latent(len(ids), m.latent_dim, seed + k)
        attrs = classifier.predict(run.signed_sample_of([z, infogan_code(run, len(z), category, continuous)]))["attrs"]
        factors[code] = attribute_spread(ids, attrs, names)[0]
    return factors
