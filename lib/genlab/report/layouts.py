"""Arranging images for a figure: snapshot rows, one row per model, blocks side by side; runs' metrics joined."""
from __future__ import annotations

import numpy as np
import pandas as pd

from genlab.profiles import REPORT_ITERATIONS, REPORT_SNAPSHOT_FRACTIONS


def snapshot_rows(snapshots: dict[int, np.ndarray], n_cols: int, total_steps: int | None = None):
    """The first ``n_cols`` images of every snapshot, one row per step, and the row labels.

    With ``total_steps``, a row taken at one of the reports' 1k/5k/10k/15k/20k fractions of
    training is also labelled with the report iteration it stands for.
    """
    if not snapshots:
        raise ValueError("the run has no sample snapshots (was it trained with snapshot steps?)")
    steps = sorted(snapshots)
    if any(len(snapshots[s]) < n_cols for s in steps):
        raise ValueError(f"snapshots hold {min(len(snapshots[s]) for s in steps)} images, fewer than {n_cols} columns")
    images = np.concatenate([snapshots[s][:n_cols] for s in steps])
    report = {}
    if total_steps:
        report = {max(1, round(f * total_steps)): round(f * REPORT_ITERATIONS) for f in REPORT_SNAPSHOT_FRACTIONS}
        if len(report) < len(REPORT_SNAPSHOT_FRACTIONS):  # a run too short to tell the report's points apart
            report = {}
    labels = [f"step {s}" + (f"\n(report {report[s]:,})" if s in report else "") for s in steps]
    return images, labels


def stack_rows(rows: dict[str, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """Images of several models, one row per model (equal counts), and the row labels."""
    counts = {len(images) for images in rows.values()}
    if len(counts) != 1:
        raise ValueError(f"every row needs the same number of images, got {sorted(counts)}")
    return np.concatenate(list(rows.values())).astype("float32"), list(rows)


def side_by_side(blocks: dict[str, np.ndarray], nrows: int, ncols: int, gap: int = 1, fill: float = 1.0):
    """Lay out one ``nrows x ncols`` block of images per model, side by side.

    Returns ``(images, total_cols, col_labels)`` for ``plotting.image_grid``: image ``i`` of a
    block sits at row ``i // ncols``; ``gap`` columns of ``fill`` (white in [-1, 1]) separate
    blocks, and each block's name labels its middle column.
    """
    if not blocks:
        raise ValueError("side_by_side needs at least one block")
    per_block = nrows * ncols
    shape = None
    rows = [[] for _ in range(nrows)]
    labels = []
    for b, (name, images) in enumerate(blocks.items()):
        if len(images) < per_block:
            raise ValueError(f"block {name!r} has {len(images)} images, needs {per_block}")
        shape = shape or images.shape[1:]
        if images.shape[1:] != shape:
            raise ValueError(f"block {name!r} images are {images.shape[1:]}, others {shape}")
        if b:
            for row in rows:
                row.extend([np.full(shape, fill, dtype="float32")] * gap)
            labels.extend([""] * gap)
        for r in range(nrows):
            rows[r].extend(images[r * ncols : (r + 1) * ncols])
        labels.extend(name if c == ncols // 2 else "" for c in range(ncols))
    images = np.stack([image for row in rows for image in row]).astype("float32")
    return images, len(labels), labels


def column_by_run(histories: dict[str, pd.DataFrame], column: str) -> pd.DataFrame:
    """One metric of several runs as a frame indexed by step, one column per run (outer join)."""
    series = {name: h.set_index("step")[column] for name, h in histories.items() if column in h}
    if not series:
        raise ValueError(f"no history has a {column!r} column")
    frame = pd.DataFrame(series).sort_index()
    frame.index.name = "step"
    return frame.reset_index()
