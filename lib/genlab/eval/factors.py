"""How much a generator's input code controls what a judge sees: mutual information and pixel change."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import normalized_mutual_info_score


def hair_group(attrs: np.ndarray, columns) -> np.ndarray:
    """Per image, which of the hair columns the judge is most sure of, or ``len(columns)`` when none is above 0.5."""
    probs = np.asarray(attrs)[:, list(columns)]
    group = probs.argmax(axis=1)
    return np.where(probs.max(axis=1) > 0.5, group, len(columns))


def code_nmi(codes, labels) -> float:
    """Normalised mutual information (arithmetic mean normalisation) between code values and judged labels.

    1 when the label is a function of the code and vice versa; 0 when they are independent.
    """
    codes, labels = np.asarray(codes).ravel(), np.asarray(labels).ravel()
    if len(codes) != len(labels) or len(codes) == 0:
        raise ValueError(f"codes and labels must be non-empty and equally long, got {len(codes)} and {len(labels)}")
    return float(normalized_mutual_info_score(codes, labels))


def row_change(rows: np.ndarray) -> float:
    """Mean absolute pixel difference between every two rows of a (rows, columns, H, W, C) sweep.

    Column j of every row shares its noise, so this is what the row's code alone changes; 0 for identical rows.
    """
    rows = np.asarray(rows, dtype="float64")
    if rows.ndim != 5 or len(rows) < 2:
        raise ValueError(f"expected (rows >= 2, columns, H, W, C), got shape {rows.shape}")
    n = len(rows)
    total = sum(np.abs(rows[i] - rows[j]).mean() for i in range(n) for j in range(i + 1, n))
    return float(total / (n * (n - 1) / 2))


def attribute_spread(value_ids, attrs: np.ndarray, names) -> list[tuple[str, float]]:
    """Per attribute, how far its mean judged probability moves across the values of a code, largest first.

    ``value_ids[i]`` is the code value sample i was drawn with, ``attrs[i]`` the judge's probabilities.
    The spread is the range (max - min) of the per-value means: 0 when the code leaves the attribute alone.
    """
    value_ids, attrs = np.asarray(value_ids).ravel(), np.asarray(attrs)
    if attrs.ndim != 2 or len(attrs) != len(value_ids) or attrs.shape[1] != len(names):
        raise ValueError(f"expected one row of {len(names)} probabilities per code value, got {attrs.shape} "
                         f"for {len(value_ids)} values")
    means = np.stack([attrs[value_ids == v].mean(axis=0) for v in np.unique(value_ids)])
    return sorted(zip(names, np.ptp(means, axis=0).astype(float)), key=lambda t: -t[1])
