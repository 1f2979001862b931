"""Figures: image grids with labels, learning curves, small multiples, t-SNE scatter. Saved as JPEG.

Every figure a notebook keeps goes through :func:`save_figure`, which writes
``figures/<part>/<name>.jpg`` atomically and remembers the path (:func:`written_figures`).
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

# Headless runs (tests, papermill without a display) need a non-interactive backend; the
# inline backend of a Jupyter kernel is left alone.
if not os.environ.get("DISPLAY") and "inline" not in matplotlib.get_backend().lower():
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from genlab import paths
from genlab.data.ranges import SIGNED, UNIT, to_float, to_unit

_WRITTEN: list[Path] = []
JPEG_SUFFIXES = (".jpg", ".jpeg")


def written_figures() -> list[Path]:
    """Figures saved by :func:`save_figure` in this process, in order."""
    return list(_WRITTEN)


def save_figure(fig, part: str, name: str, dpi: int = 100) -> Path:
    """Save ``fig`` as JPEG ``figures/<part>/<name>`` (``.jpg`` added when ``name`` has no
    extension), atomically, with a tight bounding box. Returns the path."""
    if not Path(name).suffix:
        name += ".jpg"
    if Path(name).suffix.lower() not in JPEG_SUFFIXES:
        raise ValueError(f"{name}: figures are saved as JPEG; use a .jpg name")
    path = paths.figures_dir(part) / name
    with paths.atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="jpeg", pil_kwargs={"quality": 92})
    _WRITTEN.append(path)
    return path


def to_display(images, value_range=SIGNED) -> np.ndarray:
    """Images to float [0, 1] for imshow: uint8 is read as 0..255, floats as ``value_range``.
    Single-channel images lose their channel axis (shown in grey)."""
    array = np.asarray(images)
    shown = to_float(array, UNIT) if array.dtype == np.uint8 else to_unit(array, value_range)
    if shown.ndim == 4 and shown.shape[-1] == 1:
        shown = shown[..., 0]
    return shown


def image_grid(images, nrows: int, ncols: int, value_range=SIGNED, row_labels=None, col_labels=None,
               title: str | None = None, cell_inches: float = 1.0):
    """Tile images (row-major) into an ``nrows`` x ``ncols`` figure with small gaps.

    ``images`` is (N, H, W, 3), (N, H, W, 1) or (N, H, W) with N <= nrows * ncols (missing cells
    stay blank). ``row_labels`` are written left of each row, ``col_labels`` above each column.
    """
    shown = to_display(images, value_range)
    if shown.ndim not in (3, 4) or (shown.ndim == 4 and shown.shape[-1] != 3):
        raise ValueError(f"expected images of shape (N, H, W[, 1 or 3]), got {np.shape(images)}")
    if len(shown) > nrows * ncols:
        raise ValueError(f"{len(shown)} images do not fit a {nrows} x {ncols} grid")
    for labels, count, what in ((row_labels, nrows, "row"), (col_labels, ncols, "column")):
        if labels is not None and len(labels) != count:
            raise ValueError(f"{len(labels)} {what} labels for {count} {what}s")
    height, width = shown.shape[1:3]
    cell_w, cell_h = cell_inches * width / max(height, width), cell_inches * height / max(height, width)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * cell_w, nrows * cell_h), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if index < len(shown):
            ax.imshow(shown[index], cmap="gray" if shown.ndim == 3 else None, vmin=0.0, vmax=1.0,
                      interpolation="nearest")
    for r, label in enumerate(row_labels or []):
        axes[r, 0].set_ylabel(str(label), rotation=0, ha="right", va="center", fontsize=8)
    for c, label in enumerate(col_labels or []):
        axes[0, c].set_title(str(label), fontsize=8)
    fig_height = nrows * cell_h
    top_inches = (0.25 if col_labels else 0.0) + (0.1 + 0.18 * (str(title).count("\n") + 1) if title else 0.05)
    if title:  # a fixed gap in inches above the grid, however many rows it has
        fig.suptitle(title, fontsize=10, y=1.0, va="bottom")
    fig.subplots_adjust(wspace=0.04, hspace=0.04, top=1.0 - min(0.5, top_inches / fig_height) if title else None)
    return fig


def plot_curves(history, panels, x: str = "step", title: str | None = None, events=None, smooth: int = 0,
                ylabels=None):
    """One subplot per panel; each panel lists history columns to draw against column ``x``.

    ``history`` is a dict of lists or a DataFrame (without an ``x`` column the row number is
    used). ``panels`` is a list of column lists or a dict {panel title: columns}; columns that
    are missing or all NaN are skipped. ``events`` is a list of (x value, label) drawn as dashed
    vertical lines, e.g. ``[(1200, "diverged")]``. ``smooth`` > 1 draws a trailing moving
    average over that many points. ``ylabels`` is one label or one per panel.
    """
    frame = history if isinstance(history, pd.DataFrame) else pd.DataFrame(history)
    items = list(panels.items()) if isinstance(panels, dict) else [(", ".join(cols), list(cols)) for cols in panels]
    if not items:
        raise ValueError("plot_curves needs at least one panel")
    xs = frame[x] if x in frame else pd.Series(np.arange(len(frame)), index=frame.index)
    xlabel = "training step" if x == "step" else x if x in frame else "record"
    fig, axes = plt.subplots(1, len(items), figsize=(4.5 * len(items), 3.2), squeeze=False)
    for i, (ax, (panel, columns)) in enumerate(zip(axes.flat, items)):
        for column in columns:
            if column not in frame or frame[column].isna().all():
                continue
            values = frame[column].astype(float)
            logged = values.notna()  # runs joined on step log at different steps: a NaN gap would break the line
            values = values[logged]
            if smooth and smooth > 1:
                values = values.rolling(smooth, min_periods=1).mean()
            ax.plot(xs[logged], values, label=column)
        for at, label in events or []:
            ax.axvline(at, color="crimson", linestyle="--", linewidth=1)
            ax.text(at, 0.97, f" {label}", color="crimson", transform=ax.get_xaxis_transform(), fontsize=8, va="top")
        ax.set_title(panel, fontsize=10)
        ax.set_xlabel(xlabel)
        if ylabels:
            ax.set_ylabel(ylabels[i] if isinstance(ylabels, (list, tuple)) else ylabels)
        if ax.lines:
            ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def tsne_embedding(latents, seed: int = 0, perplexity: float = 30) -> np.ndarray:
    """2-D t-SNE (scikit-learn, PCA init, fixed seed) of ``latents``, scaled into [-1, 1].

    Every thread pool (OpenMP and BLAS) is held to one thread, so the embedding does not depend
    on the machine's core count or load. With few points (fewer than 3 x ``perplexity``) the
    perplexity is lowered to (n - 1) / 3. Budget about 10 s per 1000 points on a busy CPU.
    """
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    latents = np.asarray(latents, dtype="float32").reshape(len(latents), -1)
    if len(latents) < 4:
        raise ValueError(f"t-SNE needs at least 4 points, got {len(latents)}")
    perplexity = min(float(perplexity), max(1.0, (len(latents) - 1) / 3))
    with threadpool_limits(limits=1):
        points = TSNE(n_components=2, init="pca", random_state=seed, perplexity=perplexity).fit_transform(latents)
    return points / np.abs(points).max()


def tsne_scatter(latents, labels, label_names=("no", "yes"), title: str | None = None, seed: int = 0,
                 perplexity: float = 30):
    """A scatter of :func:`tsne_embedding` coloured by integer ``labels``.

    t-SNE's coordinates carry no units, so the axes are fixed to [-1.05, 1.05] without tick
    labels: the figure's layout is the same whatever the embedding.
    """
    labels = np.asarray(labels).astype(int).reshape(-1)
    if len(labels) != len(latents):
        raise ValueError(f"{len(latents)} latents but {len(labels)} labels")
    points = tsne_embedding(latents, seed, perplexity)
    fig, ax = plt.subplots(figsize=(5, 5))
    for value in np.unique(labels):
        mask = labels == value
        name = label_names[value] if 0 <= value < len(label_names) else str(value)
        ax.scatter(points[mask, 0], points[mask, 1], s=8, alpha=0.7, label=name)
    ax.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), xticks=[], yticks=[], xlabel="t-SNE 1", ylabel="t-SNE 2")
    ax.legend(loc="upper right")
    if title:
        ax.set_title(title)
    return fig


def plot_runs(runs: dict, columns: list[str], title: str = "", events: dict | None = None, ncols: int | None = None):
    """Small multiples: one panel per run with ``columns`` of its history against the step.

    ``events`` maps a run name to ``[(step, label)]`` drawn as dashed vertical lines (e.g.
    where the divergence guard stopped the run). A history too short to draw a line (a run
    stopped before its second log) is drawn as points.
    """
    names = list(runs)
    ncols = ncols or min(len(names), 4)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.7 * nrows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        history = runs[name].history
        marker = "o" if len(history) < 2 else None
        for column in columns:
            if column in history:
                ax.plot(history["step"], history[column], marker=marker, label=column)
        for step, label in (events or {}).get(name, []):
            ax.axvline(step, color="red", linestyle="--", linewidth=1)
            ax.annotate(f"{label} ({step})", (step, 0.95), xycoords=("data", "axes fraction"),
                        color="red", fontsize=8, ha="right", va="top", rotation=90)
        if (events or {}).get(name):
            ax.set_yscale("symlog")  # an exploded loss would flatten the rest of the curve
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def snapshot_viewer(value_range=SIGNED):
    """A ``show(images, step)`` for :class:`~genlab.train.callbacks.SampleSnapshots`: the newest grid, inline."""
    def show(images, step):
        try:
            from IPython.display import display
        except ImportError:
            return
        cols = min(8, len(images))
        rows = -(-len(images) // cols)
        fig = image_grid(images[: rows * cols], rows, cols, value_range=value_range, title=f"step {step}")
        display(fig)
        plt.close(fig)

    return show
