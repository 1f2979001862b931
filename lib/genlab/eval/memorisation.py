"""Is a generator copying its training faces? Nearest training neighbours in a judge's feature space."""
from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors


def nearest_training(train_features: np.ndarray, query_features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distances, indices) of each query's nearest training row (Euclidean)."""
    train_features, query_features = np.asarray(train_features), np.asarray(query_features)
    if train_features.ndim != 2 or query_features.ndim != 2 or train_features.shape[1] != query_features.shape[1]:
        raise ValueError(f"features must be (N, D) with the same D, got {train_features.shape} and {query_features.shape}")
    search = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(train_features)
    distances, indices = search.kneighbors(query_features)
    return distances[:, 0], indices[:, 0]


def memorisation_report(train_features, generated_features, held_out_features) -> dict:
    """Median nearest-training distance of generated samples over that of held-out real faces.

    A ratio near 1 means samples sit as far from the training set as unseen real faces do; well
    below 1, samples are closer to particular training faces than new faces are: copying.
    """
    generated, _ = nearest_training(train_features, generated_features)
    held_out, _ = nearest_training(train_features, held_out_features)
    return {"nearest-training distance, generated (median)": float(np.median(generated)),
            "nearest-training distance, held-out real (median)": float(np.median(held_out)),
            "generated / held-out": float(np.median(generated) / max(np.median(held_out), 1e-12))}
