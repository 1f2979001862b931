"""Scores of generated images: attribute and tag accuracy by the evaluation classifier, distances to real
faces in its feature space, and the ``animeface`` detector's colour reading as a second opinion."""
from __future__ import annotations

import numpy as np

from genlab.data.ranges import SIGNED
from genlab.eval.distances import distance_report


def attribute_accuracy(probs, targets) -> float:
    """Categorical accuracy (argmax of (N, C) probs vs N class ids) or binary accuracy
    (probs > 0.5 vs 0/1 targets of the same shape, averaged over all entries)."""
    probs, targets = np.asarray(probs), np.asarray(targets)
    if len(probs) != len(targets) or len(targets) == 0:
        raise ValueError(f"probs and targets must be non-empty and equally long, got {len(probs)} and {len(targets)}")
    if probs.ndim == 2 and probs.shape[1] > 1 and targets.ndim == 1:
        return float((probs.argmax(axis=1) == targets).mean())
    if probs.size != targets.size:
        raise ValueError(f"binary probs {probs.shape} and targets {targets.shape} do not match")
    predicted = (probs > 0.5).reshape(targets.shape)
    return float((predicted == (targets > 0.5)).mean())


def evaluate_generated(classifier, real_images, fake_images, seed: int = 0) -> dict:
    """:func:`distance_report` in the classifier's feature space (pass >= 2x as many reals as fakes)."""
    return distance_report(classifier.features(real_images), classifier.features(fake_images), seed=seed)


def tag_accuracy(classifier, images: np.ndarray, hair: np.ndarray, eye: np.ndarray) -> dict:
    """Hair, eye and both-correct accuracy of images generated for the given class ids."""
    probs = classifier.predict(images)
    hair_ok = probs["hair"].argmax(axis=1) == np.asarray(hair)
    eye_ok = probs["eye"].argmax(axis=1) == np.asarray(eye)
    return {"hair_acc": float(hair_ok.mean()), "eye_acc": float(eye_ok.mean()), "both_acc": float((hair_ok & eye_ok).mean())}


def nearest_colour(rgb, palette: np.ndarray) -> int:
    """Index of the palette row (RGB) closest to ``rgb``."""
    return int(np.argmin(((np.asarray(palette, dtype=float) - np.asarray(rgb, dtype=float)) ** 2).sum(axis=1)))


def animeface_agreement(images, hair, eye, value_range=SIGNED) -> dict:
    """How often ``animeface`` finds a face, and how often its colour readings name the given hair and eye ids.

    Colours are named by the closest entry of the synthetic renderer's palette; each found
    face counts its hair once and each of its two eyes once. NaN when no face is found.
    """
    from genlab.data.synthetic.anime import EYE_PALETTE, HAIR_PALETTE
    from genlab.eval.detectors import animeface_colors
    from genlab.vocab import EYE_COLORS, HAIR_COLORS

    hair_rgb = np.array([HAIR_PALETTE[c] for c in HAIR_COLORS])
    eye_rgb = np.array([EYE_PALETTE[c] for c in EYE_COLORS])
    found = [(f, h, e) for f, h, e in zip(animeface_colors(images, value_range=value_range), hair, eye) if f]
    hair_ok = [nearest_colour(f["hair"], hair_rgb) == h for f, h, _ in found]
    eye_ok = [nearest_colour(f[side], eye_rgb) == e for f, _, e in found for side in ("left_eye", "right_eye")]
    return {"animeface_found": len(found) / max(1, len(images)),
            "animeface_hair": float(np.mean(hair_ok)) if found else float("nan"),
            "animeface_eye": float(np.mean(eye_ok)) if found else float("nan")}
