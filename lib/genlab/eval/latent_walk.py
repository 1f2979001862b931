"""Paths through a generator's latent space."""
from __future__ import annotations

import numpy as np


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation from ``a`` to ``b`` (each (D,)) at fractions ``t``: (len(t), D).

    Stays at the norm a Gaussian z typically has, where a straight line would pass through the
    low-norm middle the generator never saw. Falls back to a straight line for (anti)parallel ends.
    """
    a, b, t = np.asarray(a, "float64"), np.asarray(b, "float64"), np.asarray(t, "float64")[:, None]
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return ((1 - t) * a + t * b).astype("float32")
    return ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype("float32")


def walks(z_start: np.ndarray, z_end: np.ndarray, steps: int) -> np.ndarray:
    """One slerp row per pair: (pairs * steps, D), row-major, ends included."""
    t = np.linspace(0.0, 1.0, steps)
    return np.concatenate([slerp(a, b, t) for a, b in zip(z_start, z_end)])
