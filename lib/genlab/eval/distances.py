"""Distances between sets of feature vectors: Frechet (the FID formula) and kernel (KID), with the real floor.

The absolute numbers mean nothing outside the feature space they are measured in, so every
distance is reported beside the real-vs-real floor at the same sample size.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg


def _feature_matrix(features, name: str) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2 or len(array) < 2:
        raise ValueError(f"{name}: expected an (N, D) feature array with N >= 2, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: features contain NaN or inf")
    return array


def _sqrtm(matrix: np.ndarray) -> np.ndarray:
    # Covariances of ReLU features are often singular (dead units); sqrtm warns about that
    # and the caller checks the result instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return linalg.sqrtm(matrix)


def frechet_distance(features_a, features_b, eps: float = 1e-6) -> float:
    """Frechet distance between Gaussians fitted to two (N, D) feature sets (the FID formula).

    ``|mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))``. When the matrix square root is not
    finite or has a sizeable imaginary part (near-singular covariances), ``eps * I`` is added
    to both covariances and the root is taken again.
    """
    a, b = _feature_matrix(features_a, "features_a"), _feature_matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} vs {b.shape[1]}")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))

    def usable(root) -> bool:
        return np.isfinite(root).all() and (
            not np.iscomplexobj(root) or np.allclose(np.diagonal(root).imag, 0.0, atol=1e-3))

    covmean = _sqrtm(cov_a @ cov_b)
    if not usable(covmean):
        offset = np.eye(len(cov_a)) * eps
        covmean = _sqrtm((cov_a + offset) @ (cov_b + offset))
        if not usable(covmean):
            raise ValueError("Frechet distance: the covariance product has no usable square root")
    diff = mu_a - mu_b
    value = diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(np.real(covmean))
    return float(max(0.0, value))  # rounding can make identical sets come out at -1e-12


def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3."""
    d = x.shape[1]
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    m, n = len(x), len(y)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def kernel_distance(features_a, features_b, n_subsets: int = 10, subset_size: int | None = None,
                    seed: int = 0) -> tuple[float, float]:
    """Kernel Inception-style distance (KID): unbiased MMD^2, cubic polynomial kernel.

    Averaged over ``n_subsets`` random subsets of ``subset_size`` from each set (default: half
    the smaller set, at most 1000, so the spread over subsets means something). Returns
    ``(mean, std)``. Being unbiased, it can come out slightly negative for equal distributions.
    """
    a, b = _feature_matrix(features_a, "features_a"), _feature_matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} vs {b.shape[1]}")
    if n_subsets < 1:
        raise ValueError(f"n_subsets must be >= 1, got {n_subsets}")
    largest = min(len(a), len(b))
    size = min(1000, largest // 2) if subset_size is None else min(int(subset_size), largest)
    size = max(2, size)
    rng = np.random.default_rng(seed)
    values = [_mmd2_unbiased(a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)])
              for _ in range(n_subsets)]
    return float(np.mean(values)), float(np.std(values))


def distance_report(features_real, features_fake, seed: int = 0) -> dict:
    """FID/KID of fakes against reals, with the real-vs-real floor at the same sample size.

    With ``n = min(len(fake), len(real) // 2)``: ``n`` fakes are compared with ``n`` random
    reals, and the floor compares those reals with ``n`` other (disjoint) reals. Both FID values
    carry the same small-sample bias, so they can be compared. Pass at least twice as many real
    as fake features to use every fake.
    """
    real = _feature_matrix(features_real, "features_real")
    fake = _feature_matrix(features_fake, "features_fake")
    size = min(len(fake), len(real) // 2)
    if size < 2:
        raise ValueError(f"distance_report needs >= 2 fake and >= 4 real features, got {len(fake)} and {len(real)}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(real))
    real_a, real_b = real[order[:size]], real[order[size : 2 * size]]
    fake = fake[rng.permutation(len(fake))[:size]]
    kid, kid_std = kernel_distance(real_a, fake, seed=seed)
    return {
        "fid": frechet_distance(real_a, fake),
        "kid": kid,
        "kid_std": kid_std,
        "fid_floor": frechet_distance(real_a, real_b),
        "kid_floor": kernel_distance(real_a, real_b, seed=seed)[0],
        "n": int(size),
    }


def feature_spread(features: np.ndarray, n: int = 256, seed: int = 0) -> float:
    """Mean pairwise Euclidean distance among (up to ``n`` randomly chosen) feature vectors."""
    from scipy.spatial.distance import pdist

    features = np.asarray(features, dtype="float64")
    if len(features) < 2:
        raise ValueError("feature_spread needs at least two feature vectors")
    chosen = np.random.default_rng(seed).choice(len(features), size=min(n, len(features)), replace=False)
    return float(pdist(features[chosen]).mean())
