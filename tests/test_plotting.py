"""Plots are written as JPEGs of the expected shape."""
from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from genlab import paths
from genlab import plotting as P


def test_image_grid_is_saved_as_jpeg_with_the_grid_aspect():
    images = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 3))
    path = P.save_image_grid(images, "test", "grid", nrows=2, ncols=3, row_labels=["a", "b"], col_labels=["x", "y", "z"])
    assert path == paths.figures_dir("test") / "grid.jpg" and path in P.written_figures()
    with Image.open(path) as image:
        assert image.format == "JPEG"
        width, height = image.size
    assert 1.2 < width / height < 1.8


def test_curves_mark_events_and_skip_missing_columns():
    history = pd.DataFrame({"step": [10, 20, 30], "d_loss": [1.0, 0.5, np.nan], "g_loss": [0.7, 0.8, 0.9]})
    fig = P.plot_curves(history, {"losses": ["d_loss", "g_loss", "absent"]}, events=[(25, "diverged")])
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines if not line.get_label().startswith("_")] == ["d_loss", "g_loss"]
    assert any(t.get_text().strip() == "diverged" for t in ax.texts)
    assert ax.get_xlabel() == "training step"
    P.save_figure(fig, "test", "curves.jpg")
    assert (paths.figures_dir("test") / "curves.jpg").exists()


def test_tsne_scatter_has_one_group_per_label():
    latents = np.concatenate([np.zeros((20, 5)), np.ones((20, 5)) * 5]) + np.random.default_rng(0).normal(size=(40, 5))
    fig = P.tsne_scatter(latents, [0] * 20 + [1] * 20, label_names=("female", "male"))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["female", "male"]
