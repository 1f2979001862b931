"""Figures: image grids with labels, learning curves, t-SNE scatter, bars. Saved as JPEG."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

if not os.environ.get("DISPLAY") and "inline" not in matplotlib.get_backend().lower():
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from genlab import paths  # noqa: E402

_WRITTEN: list[Path] = []


def written_figures() -> list[Path]:
    """Figures saved by :func:`save_figure` in this process, in order."""
    return list(_WRITTEN)


def save_figure(fig, part: str, name: str, dpi: int = 100) -> Path:
    """Save ``fig`` as ``figures/<part>/<name>`` (JPEG), atomically."""
    if not Path(name).suffix:
        name += ".jpg"
    path = paths.figures_dir(part) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight", pil_kwargs={"quality": 92})
    os.replace(tmp, path)
    _WRITTEN.append(path)
    return path


def to_display(images, value_range=(-1.0, 1.0)) -> np.ndarray:
    """Images in ``value_range`` to float [0, 1] for imshow."""
    low, high = value_range
    return np.clip((np.asarray(images, dtype="float32") - low) / (high - low), 0.0, 1.0)


def image_grid(images, nrows: int, ncols: int, value_range=(-1.0, 1.0), row_labels=None, col_labels=None,
               title: str | None = None, cell_inches: float = 1.0):
    """Tile images into an ``nrows`` x ``ncols`` figure with optional row/column labels."""
    images = to_display(images, value_range)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * cell_inches, nrows * cell_inches), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if index < len(images):
            ax.imshow(images[index], interpolation="nearest")
    for r, label in enumerate(row_labels or []):
        axes[r, 0].set_ylabel(str(label), rotation=0, ha="right", va="center", fontsize=8)
    for c, label in enumerate(col_labels or []):
        axes[0, c].set_title(str(label), fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.subplots_adjust(wspace=0.04, hspace=0.04)
    return fig


def save_image_grid(images, part: str, name: str, **kwargs) -> Path:
    """Build an :func:`image_grid` (``nrows``/``ncols`` in kwargs) and save it."""
    fig = image_grid(images, **kwargs)
    path = save_figure(fig, part, name)
    plt.close(fig)
    return path


def plot_curves(history, panels, x: str = "step", title: str | None = None, events=None, smooth: int = 0, ylabels=None):
    """One subplot per panel; each panel lists history columns to draw against ``x``.

    ``panels`` is a list of column lists or a dict {panel title: columns}; missing columns are
    skipped. ``events`` is a list of (step, label) drawn as dashed vertical lines.
    """
    frame = history if isinstance(history, pd.DataFrame) else pd.DataFrame(history)
    items = list(panels.items()) if isinstance(panels, dict) else [(", ".join(cols), cols) for cols in panels]
    fig, axes = plt.subplots(1, len(items), figsize=(4.5 * len(items), 3.2), squeeze=False)
    for i, (ax, (panel, columns)) in enumerate(zip(axes.flat, items)):
        for column in columns:
            if column not in frame or frame[column].isna().all():
                continue
            values = frame[column].astype(float)
            if smooth and smooth > 1:
                values = values.rolling(smooth, min_periods=1).mean()
            ax.plot(frame[x], values, label=column)
        for step, label in events or []:
            ax.axvline(step, color="crimson", linestyle="--", linewidth=1)
            ax.text(step, 0.95, f" {label}", color="crimson", transform=ax.get_xaxis_transform(), fontsize=8, va="top")
        ax.set_title(panel, fontsize=10)
        ax.set_xlabel("training step")
        if ylabels:
            ax.set_ylabel(ylabels[i] if isinstance(ylabels, (list, tuple)) else ylabels)
        if ax.lines:
            ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def tsne_scatter(latents, labels, label_names=("no", "yes"), title: str | None = None, seed: int = 0, perplexity: float = 30):
    """2-D t-SNE (scikit-learn) of ``latents`` coloured by integer ``labels``."""
    from sklearn.manifold import TSNE

    latents = np.asarray(latents, dtype="float32")
    labels = np.asarray(labels).astype(int)
    perplexity = min(perplexity, max(2.0, (len(latents) - 1) / 3))
    points = TSNE(n_components=2, init="pca", random_state=seed, perplexity=perplexity).fit_transform(latents)
    fig, ax = plt.subplots(figsize=(5, 5))
    for value in np.unique(labels):
        mask = labels == value
        name = label_names[value] if value < len(label_names) else str(value)
        ax.scatter(points[mask, 0], points[mask, 1], s=8, alpha=0.7, label=name)
    ax.set_xlabel("t-SNE 1")
    ax.set_ylabel("t-SNE 2")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def bar_chart(values: dict, title: str | None = None, ylabel: str | None = None, ylim=None):
    """A labelled bar chart of ``{name: value}``."""
    fig, ax = plt.subplots(figsize=(max(4, 0.6 * len(values)), 3.2))
    ax.bar(list(values), list(values.values()), color="steelblue")
    ax.set_xticks(range(len(values)), list(values), rotation=30, ha="right")
    if ylabel:
        ax.set_ylabel(ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def comparison_table(rows: list[dict]) -> pd.DataFrame:
    """Rows of measured numbers as a DataFrame (the first key becomes the index)."""
    frame = pd.DataFrame(rows)
    return frame.set_index(frame.columns[0]) if len(frame.columns) else frame
