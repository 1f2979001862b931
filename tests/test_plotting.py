"""Plots are written as JPEGs of the expected shape."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from genlab import paths
from genlab.report import layouts as L
from genlab.report import plots as P
from genlab.report.tables import comparison_table


def test_image_grid_is_saved_as_jpeg_with_the_grid_aspect():
    images = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 3))
    path = P.save_figure(P.image_grid(images, nrows=2, ncols=3), "test", "grid")
    assert path == paths.figures_dir("test") / "grid.jpg" and path in P.written_figures()
    with Image.open(path) as image:
        assert image.format == "JPEG"
        width, height = image.size
    assert 1.3 < width / height < 1.7  # 3 columns by 2 rows of square cells

    tall = P.save_figure(P.image_grid(images, nrows=3, ncols=2, row_labels=["a", "b", "c"], col_labels=["x", "y"]),
                         "test", "tall.jpg")
    with Image.open(tall) as image:
        assert image.size[0] < image.size[1]
    assert P.written_figures()[-2:] == [path, tall]
    assert not [p for p in tall.parent.iterdir() if "tmp" in p.name]


def test_image_grid_labels_and_inputs():
    images = np.zeros((5, 4, 4, 3), dtype=np.uint8)
    images[:, :, :, 0] = 255
    fig = P.image_grid(images, 2, 3, row_labels=["first", "second"], col_labels=["a", "b", "c"], title="t")
    assert [fig.axes[i].get_title() for i in range(3)] == ["a", "b", "c"]
    assert fig.axes[3].get_ylabel() == "second"
    assert np.allclose(fig.axes[0].images[0].get_array()[..., 0], 1.0)  # uint8 read as 0..255
    assert len(fig.axes[5].images) == 0  # sixth cell left blank
    plt.close(fig)
    grey = P.image_grid(np.linspace(-1, 1, 2 * 16).reshape(2, 4, 4, 1), 1, 2)
    assert grey.axes[0].images[0].get_array().shape == (4, 4)
    plt.close(grey)
    with pytest.raises(ValueError, match="do not fit"):
        P.image_grid(images, 2, 2)
    with pytest.raises(ValueError, match="row labels"):
        P.image_grid(images, 2, 3, row_labels=["only one"])


def test_save_figure_adds_jpg_and_refuses_other_formats():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    assert P.save_figure(fig, "test", "line").name == "line.jpg"
    with pytest.raises(ValueError, match="JPEG"):
        P.save_figure(fig, "test", "line.png")
    plt.close(fig)


def test_curves_mark_events_and_skip_missing_columns():
    history = pd.DataFrame({"step": [10, 20, 30], "d_loss": [1.0, 0.5, np.nan], "g_loss": [0.7, 0.8, 0.9]})
    fig = P.plot_curves(history, {"losses": ["d_loss", "g_loss", "absent"]}, events=[(25, "diverged")])
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines if not line.get_label().startswith("_")] == ["d_loss", "g_loss"]
    assert any(t.get_text().strip() == "diverged" for t in ax.texts)
    assert ax.get_xlabel() == "training step" and ax.get_title() == "losses"
    P.save_figure(fig, "test", "curves.jpg")
    assert (paths.figures_dir("test") / "curves.jpg").exists()
    plt.close(fig)


def test_curves_panels_as_lists_and_smoothing():
    history = {"step": [1, 2, 3, 4], "loss": [4.0, 0.0, 4.0, 0.0], "acc": [0.1, 0.2, 0.3, 0.4]}
    fig = P.plot_curves(history, [["loss"], ["acc"]], smooth=2)
    assert len(fig.axes) == 2
    assert fig.axes[0].lines[0].get_ydata().tolist() == [4.0, 2.0, 2.0, 2.0]
    assert fig.axes[1].lines[0].get_xdata().tolist() == [1, 2, 3, 4]
    plt.close(fig)
    no_step = P.plot_curves({"loss": [3.0, 2.0]}, [["loss"]])
    assert no_step.axes[0].lines[0].get_xdata().tolist() == [0, 1]
    plt.close(no_step)


def test_curves_of_runs_logged_at_different_steps_are_drawn_unbroken():
    histories = {"a": pd.DataFrame({"step": [10, 20, 30], "w": [3.0, 2.0, 1.0]}),
                 "b": pd.DataFrame({"step": [15, 25], "w": [5.0, 4.0]})}
    joined = L.column_by_run(histories, "w")  # an outer join: every other row is NaN for each run
    fig = P.plot_curves(joined, {"estimate": ["a", "b"]}, smooth=2)
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    assert lines["b"].get_xdata().tolist() == [15, 25] and lines["b"].get_ydata().tolist() == [5.0, 4.5]
    assert lines["a"].get_xdata().tolist() == [10, 20, 30]
    plt.close(fig)


def test_tsne_scatter_has_one_group_per_label():
    latents = np.concatenate([np.zeros((20, 5)), np.ones((20, 5)) * 5]) + np.random.default_rng(0).normal(size=(40, 5))
    fig = P.tsne_scatter(latents, [0] * 20 + [1] * 20, label_names=("female", "male"))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["female", "male"]
    points = [collection.get_offsets() for collection in fig.axes[0].collections]
    assert [len(p) for p in points] == [20, 20]
    # Well-separated clusters stay apart in the embedding.
    gap = np.linalg.norm(points[0].mean(axis=0) - points[1].mean(axis=0))
    assert gap > 2 * max(np.asarray(p).std(axis=0).max() for p in points)
    plt.close(fig)
    small = P.tsne_scatter(latents[18:26], [0, 0, 1, 1, 1, 1, 1, 1], perplexity=30)  # perplexity lowered
    assert len(small.axes[0].collections) == 2
    plt.close(small)


def test_comparison_table_indexes_by_the_first_key():
    table = comparison_table([{"model": "GAN", "fid": 3.0}, {"model": "VAE", "fid": 5.0}])
    assert list(table.index) == ["GAN", "VAE"] and table.loc["VAE", "fid"] == 5.0


def test_image_grid_cells_keep_at_least_every_pixel_of_a_64x64_face():
    images = np.random.default_rng(0).uniform(-1, 1, (10, 64, 64, 3))
    path = P.save_figure(P.image_grid(images, nrows=2, ncols=5), "test", "cells")
    with Image.open(path) as image:
        width, height = image.size
    assert width >= 5 * 64 and height >= 2 * 64  # no cell is shown smaller than the image it holds
