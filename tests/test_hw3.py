"""HW3 recipes: objectives, tips arms, run sharing between notebooks, layouts and numbers."""
from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest

from genlab import paths
from genlab.data.mlds import AnimeRecords
from genlab.data.ranges import UNIT, to_float, to_signed
from genlab.profiles import get_profile
from genlab.recipes import image_generation, registry, tips
from genlab.report import layouts, plots, tables
from genlab.session import REPORT_VARIABLE, Session
from genlab.tools import stamps
from genlab.train.driver import set_seed

SMOKE = get_profile("smoke")
REAL_ROW = image_generation.REAL_ROW


def toy_faces(n: int = 64, size: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8)


class ToySession(Session):
    """A session whose anime data is random toy faces (no rendering)."""

    def __init__(self, notebook: str, steps: int = 4, n: int = 64, seed: int = 0):
        steps_by_model = {key: steps for key in SMOKE.steps}
        super().__init__(notebook=notebook, profile=get_profile("smoke", steps=steps_by_model, log_every=2), seed=seed,
                         data_root=None)
        self.faces = toy_faces(n)

    def anime_data(self, source="extra", image_size=None):
        rng = np.random.default_rng(1)
        records = AnimeRecords([f"{i}.jpg" for i in range(len(self.faces))], rng.integers(0, 12, len(self.faces)),
                               rng.integers(0, 11, len(self.faces)))
        return self.faces, records


def build(name: str, profile=SMOKE, seed: int = 0):
    spec = registry.get(name)
    set_seed(seed)
    return spec.build(profile, seed, **spec.hparams)


# -- objectives ---------------------------------------------------------------------------------


def test_wgan_objective_applies_the_reports_changes():
    gan = build("wgan")
    assert gan.adversarial.wasserstein and gan.clip_value == 0.05 and gan.n_critic == 2
    assert isinstance(gan.d_optimizer, keras.optimizers.RMSprop)
    assert isinstance(gan.g_optimizer, keras.optimizers.RMSprop)
    dcgan = build("dcgan")
    assert dcgan.adversarial.name == "nonsaturating" and dcgan.clip_value is None and dcgan.n_critic == 1
    assert float(dcgan.d_optimizer.learning_rate) == pytest.approx(2e-4)
    assert float(dcgan.d_optimizer.beta_1) == pytest.approx(0.5)
    # "everything else unchanged": the same networks, layer for layer.
    assert [w.shape for w in gan.generator.weights] == [w.shape for w in dcgan.generator.weights]
    assert [w.shape for w in gan.discriminator.weights] == [w.shape for w in dcgan.discriminator.weights]


def test_wgan_gp_and_lsgan_critics_have_no_batch_norm():
    gan = build("wgan_gp")
    kinds = {type(layer).__name__ for layer in gan.discriminator.layers}
    assert "BatchNormalization" not in kinds
    assert gan.gp_weight == 10.0 and gan.n_critic == 1
    # two time-scale rates instead of extra critic steps
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(2 * float(gan.g_optimizer.learning_rate))
    lsgan = build("lsgan")
    assert "BatchNormalization" not in {type(layer).__name__ for layer in lsgan.discriminator.layers}
    assert "BatchNormalization" in {type(layer).__name__ for layer in lsgan.generator.layers}


def test_a_build_does_not_depend_on_what_was_built_before():
    first = build("dcgan", seed=3)
    keras.random.normal((5,))  # consume global randomness, as another notebook cell would
    build("tips_baseline", seed=3)
    second = build("dcgan", seed=3)
    for a, b in zip(first.generator.weights, second.generator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_an_unknown_run_names_the_choices():
    with pytest.raises(KeyError, match="wgan_gp"):
        registry.get("began")


# -- tips arms -----------------------------------------------------------------------------------


def test_tips_arms_cover_the_report_and_extra_tips():
    labels = [label for label, _ in tips.ARMS]
    names = [name for _, name in tips.ARMS]
    assert len(set(labels)) == len(labels) and len(set(names)) == len(names)
    assert dict(tips.ARMS)["all tips (DCGAN)"] == "dcgan"  # 3-1's run is reused
    assert registry.TIPS_NB in registry.get("dcgan").reused_by
    assert sum(registry.get(n).origin == "ganhacks" for n in names) >= 2
    assert registry.get("tips_baseline").value_range == UNIT
    assert registry.get("tips_normalized_inputs").value_range == (-1.0, 1.0)
    assert {registry.get(n).notebook for n in names} == {registry.TIPS_NB, registry.HW3_1}


def test_tips_gan_uses_the_report_mlp_and_the_arms_optimizers():
    gan = build("tips_adam_for_g", profile=get_profile("full"))
    assert gan.generator.count_params() == 3_335_552
    assert isinstance(gan.g_optimizer, keras.optimizers.Adam)
    assert isinstance(gan.d_optimizer, keras.optimizers.SGD)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(tips.SGD_LEARNING_RATE)
    gentle = build("tips_baseline_sgd_lr_0_01")
    assert float(gentle.g_optimizer.learning_rate) == pytest.approx(0.01)
    smoothed = build("tips_label_smoothing")
    assert smoothed.label_smoothing == pytest.approx(0.1)
    assert isinstance(smoothed.d_optimizer, keras.optimizers.Adam)
    assert float(smoothed.d_optimizer.learning_rate) == pytest.approx(registry.TIPS_ADAM["config"]["learning_rate"])


def test_only_the_dcgan_arm_of_the_tips_keeps_a_generator_average():
    averaged = {name: registry.get(name).ema_half_life is not None for _, name in tips.ARMS}
    assert averaged.pop("dcgan") and not any(averaged.values())


def test_to_signed_maps_unit_range_and_cleans_nan():
    images = np.array([0.0, 0.5, 1.0, -0.4, np.nan], dtype="float32").reshape(1, 5, 1, 1)
    signed = to_signed(images, UNIT).ravel()
    np.testing.assert_allclose(signed, [-1.0, 0.0, 1.0, -1.0, 0.0])
    np.testing.assert_allclose(to_signed(np.array([2.0, -0.5])), [1.0, -0.5])


# -- layouts ---------------------------------------------------------------------------------------


def test_snapshot_rows_orders_steps_and_truncates_columns():
    snaps = {50: np.full((25, 2, 2, 3), 0.5), 1: np.full((25, 2, 2, 3), -0.5)}
    images, labels = layouts.snapshot_rows(snaps, n_cols=10)
    assert images.shape == (20, 2, 2, 3) and labels == ["step 1", "step 50"]
    assert images[0, 0, 0, 0] == -0.5 and images[10, 0, 0, 0] == 0.5
    _, labels = layouts.snapshot_rows(snaps, n_cols=10, total_steps=1000)
    assert labels == ["step 1", "step 50\n(report 1,000)"]  # 50 of 1000 steps is the report's 1k of 20k
    _, labels = layouts.snapshot_rows(snaps, n_cols=10, total_steps=4)  # 1k and 5k of 20k both round to step 1
    assert labels == ["step 1", "step 50"]
    with pytest.raises(ValueError, match="fewer than 30"):
        layouts.snapshot_rows(snaps, n_cols=30)
    with pytest.raises(ValueError, match="no sample snapshots"):
        layouts.snapshot_rows({}, 5)


def test_side_by_side_places_blocks_with_gaps():
    a = np.stack([np.full((2, 2, 3), i, dtype="float32") for i in range(4)])
    b = a + 10
    images, ncols, labels = layouts.side_by_side({"A": a, "B": b}, nrows=2, ncols=2, gap=1, fill=-7)
    assert ncols == 5 and images.shape == (10, 2, 2, 3)
    grid = images[:, 0, 0, 0].reshape(2, 5)
    np.testing.assert_array_equal(grid, [[0, 1, -7, 10, 11], [2, 3, -7, 12, 13]])
    assert labels == ["", "A", "", "", "B"]
    with pytest.raises(ValueError, match="needs 4"):
        layouts.side_by_side({"A": a[:3]}, 2, 2)


def test_column_by_run_joins_on_step_and_final_losses():
    h1 = pd.DataFrame({"step": [2, 4], "w_distance": [1.0, 0.5], "d_loss": [0.1, 0.2], "g_loss": [1.0, 2.0]})
    h2 = pd.DataFrame({"step": [2], "w_distance": [3.0]})
    frame = layouts.column_by_run({"WGAN": h1, "WGAN-GP": h2}, "w_distance")
    assert list(frame.columns) == ["step", "WGAN", "WGAN-GP"]
    assert np.isnan(frame.loc[frame.step == 4, "WGAN-GP"]).all()
    assert tables.final_losses(h1) == {"final d_loss": 0.2, "final g_loss": 2.0}
    assert np.isnan(tables.final_losses(pd.DataFrame({"step": []}))["final d_loss"])


# -- training and run sharing --------------------------------------------------------------------


def test_dcgan_run_is_shared_between_notebooks_and_each_records_what_its_training_cost(monkeypatch):
    monkeypatch.setenv(REPORT_VARIABLE, str(paths.executed_dir()))
    paths.executed_dir().mkdir(parents=True, exist_ok=True)
    first = ToySession(registry.HW3_1).run("dcgan")
    assert first.result.steps == 4 and first.result.resumed_from == 0
    assert sorted(first.snapshots) == SMOKE.snapshot_steps(4)
    # The tips notebook's "all tips" arm finds 3-1's finished run instead of training again.
    again = ToySession(registry.TIPS_NB).run("dcgan")
    assert again.result.resumed_from == 4
    for a, b in zip(first.model.generator.weights, again.model.generator.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy())
    # Each notebook's record: 3-1 trained it all, the tips notebook loaded what 3-1 trained.
    (trained,) = stamps.read_runs(registry.HW3_1)
    (loaded,) = stamps.read_runs(registry.TIPS_NB)
    assert (trained["run"], trained["steps"], trained["resumed_from"], trained["earlier_seconds"]) == ("dcgan", 4, 0, 0)
    assert trained["folder"] == loaded["folder"] == first.result.run_dir.name and trained["training_seconds"] > 0
    assert loaded["resumed_from"] == 4 and loaded["earlier_seconds"] == loaded["training_seconds"] == trained["training_seconds"]
    stamps.write_stamp(registry.TIPS_NB, "source", {}, {}, started=0.0, seconds=1.0, peak_mib=0.0)
    assert stamps.read_stamp(registry.TIPS_NB)["runs"] == [loaded]


def test_a_notebook_that_uses_a_run_twice_keeps_the_record_of_the_use_that_trained_it(monkeypatch):
    monkeypatch.setenv(REPORT_VARIABLE, str(paths.executed_dir()))
    paths.executed_dir().mkdir(parents=True, exist_ok=True)
    session = ToySession(registry.VAE_NB)
    session.run("vae_kl1e-4")
    assert session.run("vae_kl1e-4").result.resumed_from == 4  # the second use loads the finished run
    (record,) = stamps.read_runs(registry.VAE_NB)
    assert record["run"] == "vae_kl1e-4" and record["resumed_from"] == 0 and record["earlier_seconds"] == 0


def test_a_notebook_may_only_use_runs_declared_for_it():
    with pytest.raises(ValueError, match="add 'hw4_2_gan' to its reused_by"):
        ToySession("hw4_2_gan").run("dcgan")


def test_wgan_trains_with_critic_batches_and_logs_the_wasserstein_estimate():
    session = ToySession(registry.WGAN_NB, steps=2, n=2 * 16 * 2)
    run = session.run("wgan")
    assert "w_distance" in run.history and np.isfinite(run.history["w_distance"]).all()
    critic = run.model.discriminator.trainable_variables
    assert max(float(np.abs(v.numpy()).max()) for v in critic) <= registry.get("wgan").hparams["clip_value"] + 1e-7


def test_diverging_tips_arm_is_recorded_not_raised(monkeypatch):
    from dataclasses import replace

    exploding = replace(registry.get("tips_baseline"), divergence_bound=1e-3)  # every loss is "exploded"
    monkeypatch.setitem(registry.RUNS, "tips_baseline", exploding)
    run = ToySession(registry.TIPS_NB).run("tips_baseline")
    assert run.result.diverged is not None
    assert run.events() == [(run.result.diverged["step"], "diverged")]
    assert run.result.steps < 4
    samples = run.signed_sample(6, seed=1)
    assert samples.shape == (6, 32, 32, 3) and samples.min() >= -1 and samples.max() <= 1


def test_tips_arm_trains_on_unit_range_inputs():
    run = ToySession(registry.TIPS_NB, steps=2).run("tips_adam_for_both")
    assert run.result.diverged is None and run.result.steps == 2
    assert run.events() == [] and run.label == "+Adam for both"
    assert run.sample(3, seed=0).min() >= 0.0 - 1.0  # tanh output, read in [0, 1] by signed_sample
    assert run.signed_sample(3, seed=0).max() <= 1.0


# -- tables and statements ------------------------------------------------------------------------


def tips_table(fid: dict, diverged: dict) -> pd.DataFrame:
    labels = [label for label, _ in tips.ARMS]
    table = pd.DataFrame({"FID": [fid.get(n, 50.0) for n in labels], "KID": 0.1, "spread": 0.8,
                          "animeface hits /64": 10, "diverged at": [diverged.get(n, np.nan) for n in labels]},
                         index=labels)
    real = pd.DataFrame({"FID": [1.0], "KID": [0.0], "spread": [1.0], "animeface hits /64": [60], "diverged at": [np.nan]},
                        index=[REAL_ROW])
    return pd.concat([real, table])


def test_tips_findings_follow_the_measurements():
    fid = {"baseline": 90, "+normalized inputs": 80, "+Adam for G": 85, "+normalized +Adam for G": 95,
           "+Adam for both": 60, "+normalized +Adam for both": 40, "all tips (DCGAN)": 10}
    diverged = {"baseline": 100, "+normalized inputs": 300, "+Adam for G": 50, "+normalized +Adam for G": 500}
    findings = tips.tips_findings(tips_table(fid, diverged)).set_index("report says")["holds"]
    assert findings["normalizing inputs helps (baseline -> +normalized inputs)"] == "yes"
    assert findings["normalizing inputs helps (+Adam for G -> +normalized +Adam for G)"] == "no"
    assert findings["Adam for G alone still explodes without normalization"] == "yes"
    assert findings["with normalization, Adam for G lasts longer before exploding than SGD"] == "yes"
    assert findings["Adam for both does not explode"] == "yes"
    assert findings["all tips (the DCGAN) gives the best samples"] == "yes"

    fid["+label smoothing"] = 5  # an extra tip beats the DCGAN
    diverged["+Adam for both"] = 70
    findings = tips.tips_findings(tips_table(fid, diverged)).set_index("report says")["holds"]
    assert findings["all tips (the DCGAN) gives the best samples"] == "no"
    assert findings["Adam for both does not explode"] == "no"
    extra = tips.extra_tips_effect(tips_table(fid, diverged))
    assert extra.loc["+label smoothing", "FID change vs base"] == pytest.approx(5 - 40)


def test_rank_statement_names_the_leaders_and_the_floor():
    table = pd.DataFrame({"FID": [2.0, 30.0, 20.0], "KID": [0.0, 0.1, 0.3], "animeface hits /64": [61, 40, 50]},
                         index=[REAL_ROW, "DCGAN", "WGAN"])
    text = image_generation.rank_statement(table)
    assert "lowest FID: WGAN (20; real-vs-real floor 2)" in text
    assert "lowest KID: DCGAN" in text
    assert "most detector hits: WGAN (50/64; real faces 61)" in text
    table["animeface hits /64"] = [61, 0, 0]
    assert "found no face in any model's samples (real faces: 61)" in image_generation.rank_statement(table)
    assert "finds only" not in image_generation.rank_statement(table)
    table["animeface hits /64"] = [5, 12, 0]
    assert "the detector finds only 5/64 REAL faces" in image_generation.rank_statement(table)


def test_profile_and_arm_tables():
    changes = image_generation.profile_changes(get_profile("cpu"), ["dcgan", "tips"])
    assert changes.loc["image size", "report"] == "64x64"
    assert changes.loc["dcgan iterations", "profile 'cpu'"] == f"{get_profile('cpu').steps_for('dcgan'):,}"
    arms = tips.arms_table()
    assert list(arms.index) == [label for label, _ in tips.ARMS]
    assert arms.loc["baseline", "inputs"] == "[0, 1]" and arms.loc["baseline", "G optimizer"] == "SGD 0.1"
    assert arms.loc["+label smoothing", "extra"] == "label smoothing 0.1"
    assert arms.loc["all tips (DCGAN)", "network"] == "DCGAN (3-1 run)"
    objectives = image_generation.objectives_table(["dcgan", "wgan", "wgan_gp", "lsgan"])
    assert list(objectives.index) == ["DCGAN", "WGAN", "WGAN-GP", "LSGAN"] and objectives.loc["WGAN", "weight clip"] == 0.05
    assert list(objectives["D normalization"]) == ["BatchNorm", "BatchNorm", "LayerNorm", "spectral norm"]


def test_the_lsgan_run_builds_a_spectral_norm_critic_without_other_normalization():
    spec = registry.get("lsgan")
    d = spec.build(get_profile("smoke"), 0, **spec.hparams).discriminator
    kinds = {type(layer).__name__ for layer in d.layers}
    assert "SpectralNormalization" in kinds and not kinds & {"BatchNormalization", "GroupNormalization"}


def test_tricks_text_names_each_trick_a_run_adds_and_nothing_else():
    assert registry.tricks_text({"loss": "lsgan", "label_smoothing": 0.0}) == ""
    text = registry.tricks_text({"label_noise": 0.05, "r1_weight": 1.0, "augment": "color,cutout"})
    assert text == "label noise 0.05, R1 penalty 1, DiffAugment (color, cutout)"


def test_plot_runs_draws_one_panel_per_run_with_events():
    class FakeRun:
        def __init__(self, history):
            self.history = history

    history = pd.DataFrame({"step": [1, 2, 3], "d_loss": [1.0, 0.5, 0.2], "g_loss": [0.7, 1.0, 2.0]})
    fig = plots.plot_runs({"a": FakeRun(history), "b": FakeRun(history), "c": FakeRun(history)}, ["d_loss", "g_loss"],
                          title="t", events={"b": [(2, "diverged")]}, ncols=2)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title() for ax in axes] == ["a", "b", "c"]
    assert len(axes[1].lines) == 3 and len(axes[0].lines) == 2  # the divergence line
    assert all(line.get_marker() == "None" for line in axes[0].lines)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_plot_runs_draws_a_run_stopped_before_its_second_log_as_points():
    class FakeRun:
        history = pd.DataFrame({"step": [40], "d_loss": [893.0], "g_loss": [1034.0]})

    fig = plots.plot_runs({"baseline": FakeRun()}, ["d_loss", "g_loss"], events={"baseline": [(40, "diverged")]})
    losses = [line for line in fig.axes[0].lines if line.get_label() in ("d_loss", "g_loss")]
    assert [line.get_marker() for line in losses] == ["o", "o"]
    import matplotlib.pyplot as plt

    plt.close(fig)


class ColourStatistics:
    """A stand-in evaluation classifier whose features are per-channel means and spreads."""

    def features(self, images):
        images = np.asarray(images, dtype="float32")
        return np.concatenate([images.mean(axis=(1, 2)), images.std(axis=(1, 2))], axis=1)


def test_measure_puts_real_floor_first_and_separates_good_from_bad_samples():
    real = toy_faces(n=256, seed=1)
    rng = np.random.default_rng(2)
    shifted = rng.uniform(0.6, 1.0, (128, 32, 32, 3)).astype("float32")  # bright, unlike the real faces
    collapsed = np.repeat(to_float(real[:1]), 128, axis=0)  # one face over and over
    fakes = {"copy": to_float(real[:128]), "bright": shifted, "collapsed": collapsed}
    table = image_generation.measure(ColourStatistics(), real, fakes, seed=0, n_detect=16)
    assert list(table.index) == [REAL_ROW, "copy", "bright", "collapsed"]
    assert list(table.columns) == ["FID", "KID", "spread", "animeface hits /16"]
    assert table.loc["copy", "spread"] == pytest.approx(1.0, abs=0.2)
    assert table.loc["collapsed", "spread"] == pytest.approx(0.0)
    collapse_line = image_generation.rank_statement(table).splitlines()[-1]
    assert "near mode collapse" in collapse_line and "collapsed" in collapse_line and "copy" not in collapse_line
    assert table.loc["copy", "FID"] < table.loc["bright", "FID"]
    assert table.loc["bright", "KID"] > table.loc[REAL_ROW, "KID"]
    assert table["animeface hits /16"].between(0, 16).all()
