"""MLDS HW3 recipes shared by the 3-1, WGAN-comparison and training-tips notebooks.

One place defines how each HW3 model is built and trained, so a run trained by one notebook
is found and reused by another (the comparison's DCGAN and the tips' "all tips" arm are
3-1's DCGAN run):

    run = hw3.train_objective(session, "dcgan", images)          # 3-1, and reused elsewhere
    run = hw3.train_objective(session, "wgan", images)           # the report's WGAN changes
    run = hw3.train_tips_arm(session, hw3.arm("+normalized inputs"), images)

Every model is built right after reseeding with the session seed, so its initial weights do
not depend on what a notebook built before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np
import pandas as pd

from genlab import experiments as E
from genlab import models as M
from genlab import training as T
from genlab.profiles import REPORT_SNAPSHOT_FRACTIONS

LATENT_DIM = 100  # the report's 100-d Gaussian noise
REPORT_ITERATIONS = 20_000
SIGNED = (-1.0, 1.0)
UNIT = (0.0, 1.0)


# ----------------------------------------------------------------------------------------
# The four objectives on the 3-1 DCGAN (3-1 and the WGAN comparison)
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Objective:
    """How one adversarial objective is set up on the 3-1 DCGAN networks.

    ``name`` is both the run name and the profile's step key.
    """

    name: str
    label: str
    loss: str
    optimizers: Callable[[], tuple]  # () -> (d_optimizer, g_optimizer), fresh each call
    critic: bool = False  # the WGAN-GP critic: no BatchNorm (per-sample LayerNorm instead)
    n_critic: int = 1
    clip_value: float | None = None
    summary: str = ""


def _adam_pair():
    return E.adam(), E.adam()


def _rmsprop_pair():
    return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)


def _wgan_gp_adam_pair():
    return keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9), keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)


OBJECTIVES: dict[str, Objective] = {
    objective.name: objective
    for objective in (
        Objective("dcgan", "DCGAN", "nonsaturating", _adam_pair,
                  summary="sigmoid cross-entropy, non-saturating G loss, Adam 2e-4 beta1 0.5"),
        Objective("wgan", "WGAN", "wgan", _rmsprop_pair, n_critic=5, clip_value=0.02,
                  summary="no sigmoid, no log, critic clipped to [-0.02, 0.02], RMSProp 5e-5, 5 critic steps"),
        Objective("wgan_gp", "WGAN-GP", "wgan-gp", _wgan_gp_adam_pair, critic=True, n_critic=5,
                  summary="gradient penalty 10, critic without BatchNorm, Adam 1e-4 betas (0.5, 0.9), 5 critic steps"),
        Objective("lsgan", "LSGAN", "lsgan", _adam_pair,
                  summary="least squares (targets 1 and 0), Adam 2e-4 beta1 0.5"),
    )
}


def build_objective_gan(profile, name: str, seed: int) -> T.GAN:
    """The compiled 3-1 DCGAN trainer with objective ``name`` (dcgan, wgan, wgan_gp, lsgan)."""
    if name not in OBJECTIVES:
        raise ValueError(f"unknown HW3 objective {name!r}; choose one of {', '.join(OBJECTIVES)}")
    objective = OBJECTIVES[name]
    T.set_seed(seed)
    generator, discriminator = E.dcgan_pair(profile, critic=objective.critic, latent_dim=LATENT_DIM)
    gan = T.GAN(generator, discriminator, latent_dim=LATENT_DIM, seed=seed, name=objective.name)
    d_optimizer, g_optimizer = objective.optimizers()
    gan.compile(d_optimizer, g_optimizer, loss=objective.loss, n_critic=objective.n_critic,
                clip_value=objective.clip_value)
    return gan


def train_objective(session, name: str, images: np.ndarray) -> E.GanRun:
    """Train (or resume, or reload when finished) the run ``name`` for the profile's steps."""
    model = build_objective_gan(session.profile, name, session.seed)
    return E.train_gan(session, name, model, images, step_key=name)


# ----------------------------------------------------------------------------------------
# The training-tips ablation
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TipsArm:
    """One arm of the tips ablation on the report's MLP GAN.

    ``normalized`` feeds real images in [-1, 1] (the tanh range); otherwise in [0, 1], which is
    what PyTorch's ``ToTensor()`` gives before a ``Normalize(0.5, 0.5)``: our reading of the
    report's un-normalized baseline. Optimizers are SGD (learning rate ``sgd_lr``, default
    ``SGD_LEARNING_RATE``) unless marked Adam. ``dcgan`` marks the "all tips" arm, which is
    3-1's DCGAN run.
    """

    name: str
    normalized: bool = False
    g_adam: bool = False
    d_adam: bool = False
    label_smoothing: float = 0.0
    label_noise: float = 0.0
    instance_noise: float = 0.0
    dcgan: bool = False
    sgd_lr: float | None = None
    source: str = "report"

    @property
    def sgd_learning_rate(self) -> float:
        return self.sgd_lr if self.sgd_lr is not None else SGD_LEARNING_RATE

    @property
    def value_range(self) -> tuple[float, float]:
        return SIGNED if self.normalized or self.dcgan else UNIT

    @property
    def run_name(self) -> str:
        if self.dcgan:
            return "dcgan"
        return "tips_" + re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")


_BEST_MLP = dict(normalized=True, g_adam=True, d_adam=True)
TIPS_ARMS: tuple[TipsArm, ...] = (
    TipsArm("baseline"),
    TipsArm("+normalized inputs", normalized=True),
    TipsArm("+Adam for G", g_adam=True),
    TipsArm("+normalized +Adam for G", normalized=True, g_adam=True),
    TipsArm("+Adam for both", g_adam=True, d_adam=True),
    TipsArm("+normalized +Adam for both", **_BEST_MLP),
    TipsArm("all tips (DCGAN)", dcgan=True),
    TipsArm("+label smoothing", label_smoothing=0.1, source="ganhacks", **_BEST_MLP),
    TipsArm("+instance noise", instance_noise=0.1, source="ganhacks", **_BEST_MLP),
    TipsArm("+noisy labels", label_noise=0.05, source="ganhacks", **_BEST_MLP),
    TipsArm("baseline, SGD lr 0.01", sgd_lr=0.01, source="sensitivity"),
)

# SGD's learning rate for every SGD arm but the sensitivity one. The report tuned its rate
# and does not print it; with 0.1 the un-normalized SGD arms blow up as the report describes.
SGD_LEARNING_RATE = 0.1
TIPS_DIVERGENCE_BOUND = 100.0  # a loss this large means D separates perfectly: the report's "exploded"


def arm(name: str) -> TipsArm:
    """The tips arm called ``name``."""
    for candidate in TIPS_ARMS:
        if candidate.name == name:
            return candidate
    raise ValueError(f"unknown tips arm {name!r}; choose one of {', '.join(a.name for a in TIPS_ARMS)}")


def _optimizer(use_adam: bool, sgd_lr: float):
    return E.adam() if use_adam else keras.optimizers.SGD(sgd_lr)


def build_tips_gan(profile, tips_arm: TipsArm, seed: int) -> T.GAN:
    """The compiled MLP GAN of one tips arm (the report's G, an MLP D, the arm's tricks)."""
    if tips_arm.dcgan:
        return build_objective_gan(profile, "dcgan", seed)
    T.set_seed(seed)
    generator = M.build_mlp_generator(LATENT_DIM, image_size=profile.image_size)
    discriminator = M.build_mlp_discriminator(image_size=profile.image_size)
    gan = T.GAN(generator, discriminator, latent_dim=LATENT_DIM, seed=seed, name="mlp_gan")
    lr = tips_arm.sgd_learning_rate
    gan.compile(_optimizer(tips_arm.d_adam, lr), _optimizer(tips_arm.g_adam, lr), loss="nonsaturating",
                label_smoothing=tips_arm.label_smoothing, label_noise=tips_arm.label_noise,
                instance_noise=tips_arm.instance_noise)
    return gan


def train_tips_arm(session, tips_arm: TipsArm, images: np.ndarray, steps: int | None = None) -> E.GanRun:
    """Train one tips arm for ``steps`` (default: the profile's ``tips`` steps).

    The "all tips" arm is 3-1's DCGAN run (its own step count); MLP arms stop at the first
    loss beyond ``TIPS_DIVERGENCE_BOUND`` or NaN, and ``run.result.diverged`` says when.
    """
    if tips_arm.dcgan:
        return train_objective(session, "dcgan", images)
    model = build_tips_gan(session.profile, tips_arm, session.seed)
    return E.train_gan(session, tips_arm.run_name, model, images, steps=steps, step_key="tips",
                       value_range=tips_arm.value_range,
                       divergence_bound=TIPS_DIVERGENCE_BOUND, watch=("d_loss", "g_loss"))


def to_signed(images: np.ndarray, value_range=SIGNED) -> np.ndarray:
    """Generator outputs read in ``value_range`` mapped to [-1, 1] (clipped; NaN becomes grey)."""
    low, high = value_range
    images = np.nan_to_num(np.asarray(images, dtype="float32"), nan=(low + high) / 2)
    images = np.clip(images, low, high)
    return ((images - low) / (high - low) * 2.0 - 1.0).astype("float32")


def arm_samples(run: E.GanRun, tips_arm: TipsArm, n: int, seed: int) -> np.ndarray:
    """n samples of a tips arm in [-1, 1], whatever range the arm was trained on."""
    return to_signed(run.sample(n, seed), tips_arm.value_range)


def divergence_events(run: E.GanRun) -> list[tuple[int, str]]:
    """``[(step, "diverged")]`` for a run the divergence guard stopped, else ``[]``."""
    event = run.result.diverged
    return [(int(event["step"]), "diverged")] if event else []


# ----------------------------------------------------------------------------------------
# Figure layouts
# ----------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------
def final_losses(history: pd.DataFrame) -> dict[str, float]:
    """The last logged D and G losses (the interval average), or NaN when nothing was logged."""
    last = history.dropna(subset=["d_loss", "g_loss"]).tail(1) if {"d_loss", "g_loss"} <= set(history) else None
    if last is None or last.empty:
        return {"final d_loss": float("nan"), "final g_loss": float("nan")}
    return {"final d_loss": float(last["d_loss"].iloc[0]), "final g_loss": float(last["g_loss"].iloc[0])}


def plot_runs(runs: dict, columns: list[str], title: str = "", events: dict | None = None, ncols: int | None = None):
    """Small multiples: one panel per run with ``columns`` of its history against the step.

    ``events`` maps a run name to ``[(step, label)]`` drawn as dashed vertical lines (e.g.
    where the divergence guard stopped the run).
    """
    import matplotlib.pyplot as plt

    names = list(runs)
    ncols = ncols or min(len(names), 4)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.7 * nrows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        history = runs[name].history
        for column in columns:
            if column in history:
                ax.plot(history["step"], history[column], label=column)
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


# ----------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------
REPORT_STEPS = {
    "dcgan": "20,000",
    "wgan": "20,000",
    "wgan_gp": "not run in the report",
    "lsgan": "not run in the report",
    "tips": "not stated (losses exploded near 1,500 and 2,500)",
}


def profile_changes(profile, step_keys: list[str]) -> pd.DataFrame:
    """The report's settings beside this profile's, for the notebook's opening."""
    rows = {
        "image size": ("64x64", f"{profile.image_size}x{profile.image_size}"),
        "DCGAN base filters": ("64", str(profile.dcgan_filters)),
        "batch size": ("not stated (DCGAN paper: 128)", str(profile.batch_size)),
    }
    for key in step_keys:
        rows[f"{key} iterations"] = (REPORT_STEPS.get(key, "?"), f"{profile.steps_for(key):,}")
    rows["samples per evaluation"] = ("64 (detector only)", str(profile.eval_samples))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["report", f"profile {profile.name!r}"])


def objectives_table(names: list[str]) -> pd.DataFrame:
    """Loss, optimizers and critic settings of the named objectives."""
    rows = {}
    for name in names:
        o = OBJECTIVES[name]
        rows[o.label] = {"loss": o.loss, "critic updates per G update": o.n_critic,
                         "weight clip": o.clip_value or "", "BatchNorm in D": not o.critic, "setting": o.summary}
    return pd.DataFrame.from_dict(rows, orient="index")


def arms_table(arms) -> pd.DataFrame:
    """What each tips arm changes: input range, optimizers, extra tricks, where the tip comes from."""
    rows = {}
    for a in arms:
        extra = [f"{label} {value:g}" for label, value in
                 (("label smoothing", a.label_smoothing), ("label noise", a.label_noise), ("instance noise", a.instance_noise))
                 if value]
        rows[a.name] = {
            "network": "DCGAN (3-1 run)" if a.dcgan else "MLP",
            "inputs": "[-1, 1]" if a.value_range == SIGNED else "[0, 1]",
            "D optimizer": "Adam" if (a.d_adam or a.dcgan) else f"SGD {a.sgd_learning_rate:g}",
            "G optimizer": "Adam" if (a.g_adam or a.dcgan) else f"SGD {a.sgd_learning_rate:g}",
            "extra": ", ".join(extra),
            "from": a.source,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def training_summary(runs: dict) -> pd.DataFrame:
    """Per run: steps trained, where it diverged (if it did) and the last logged losses."""
    rows = {}
    for name, run in runs.items():
        event = run.result.diverged
        rows[name] = {"steps": run.result.steps, "diverged at": event["step"] if event else None,
                      **final_losses(run.history)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    return frame.astype({"steps": "Int64", "diverged at": "Int64"})


GAN_PANELS = {"losses": ["d_loss", "g_loss"], "discriminator accuracy": ["d_real_acc", "d_fake_acc"]}
DETECTOR_SAMPLES = 64  # the report's detector measure: hits among 64 samples
REAL_ROW = "real faces"


def measure(classifier, real_images: np.ndarray, fakes: dict[str, np.ndarray], seed: int,
            n_detect: int = DETECTOR_SAMPLES) -> pd.DataFrame:
    """The HW3 numbers for each model's samples (floats in [-1, 1]), after a row for real faces.

    Columns: FID and KID in the evaluation classifier's feature space; ``spread``, the mean
    pairwise feature distance of the samples over that of real faces (1 for real-like
    variety, near 0 when every sample is the same face, which FID mixes with quality and
    the detector does not see at all); and the animeface detector's hits among ``n_detect``
    images. The real row holds the real-vs-real distances (two disjoint real sets of the
    samples' size: the floor a perfect generator would reach) and the detector's hits on
    ``n_detect`` real faces (its ceiling on this data). ``real_images`` are uint8.
    """
    from genlab import evaluation
    from genlab.notebook import to_float

    if not fakes:
        raise ValueError("measure needs at least one model's samples")
    hits_column = f"animeface hits /{n_detect}"
    real_features = classifier.features(to_float(real_images))
    shown = np.random.default_rng(seed).choice(len(real_images), size=min(n_detect, len(real_images)), replace=False)
    real_spread = feature_spread(real_features, seed=seed)
    rows = {REAL_ROW: {"spread": 1.0, hits_column: evaluation.animeface_hit_rate(real_images[shown])["hits"]}}
    for name, fake in fakes.items():
        fake = to_signed(fake)
        fake_features = classifier.features(fake)
        report = evaluation.distance_report(real_features, fake_features, seed=seed)
        rows[REAL_ROW].update({"FID": report["fid_floor"], "KID": report["kid_floor"]})
        rows[name] = {"FID": report["fid"], "KID": report["kid"],
                      "spread": feature_spread(fake_features, seed=seed) / real_spread,
                      hits_column: evaluation.animeface_hit_rate(fake[:n_detect])["hits"]}
    return pd.DataFrame.from_dict(rows, orient="index")[["FID", "KID", "spread", hits_column]]


def feature_spread(features: np.ndarray, n: int = 256, seed: int = 0) -> float:
    """Mean pairwise Euclidean distance among (up to ``n`` randomly chosen) feature vectors."""
    from scipy.spatial.distance import pdist

    features = np.asarray(features, dtype="float64")
    if len(features) < 2:
        raise ValueError("feature_spread needs at least two feature vectors")
    chosen = np.random.default_rng(seed).choice(len(features), size=min(n, len(features)), replace=False)
    return float(pdist(features[chosen]).mean())


def rank_statement(table: pd.DataFrame) -> str:
    """Which model leads on each number of a :func:`measure` table (real row excluded)."""
    models = table.drop(index=REAL_ROW, errors="ignore")
    hits = [c for c in table.columns if c.startswith("animeface hits")][0]
    most_hits = (f"most detector hits: {models[hits].idxmax()} ({models[hits].max()}{hits[len('animeface hits '):]}; "
                 f"real faces {table.loc[REAL_ROW, hits]})") if models[hits].max() > 0 else \
        f"the detector found no face in any model's samples (real faces: {table.loc[REAL_ROW, hits]})"
    ceiling = table.loc[REAL_ROW, hits]
    total = int(hits.rsplit("/", 1)[1])
    detector_note = (f"note: the detector finds only {ceiling}/{total} REAL faces at this resolution, "
                     "so its counts say little about quality here") if ceiling < total / 2 else None
    collapsed = list(models.index[models["spread"] < 0.25]) if "spread" in models else []
    lines = [
        f"lowest FID: {models['FID'].idxmin()} ({models['FID'].min():.3g}; real-vs-real floor {table.loc[REAL_ROW, 'FID']:.3g})",
        f"lowest KID: {models['KID'].idxmin()} ({models['KID'].min():.3g}; floor {table.loc[REAL_ROW, 'KID']:.3g})",
        most_hits,
    ]
    if detector_note:
        lines.append(detector_note)
    if collapsed:
        lines.append(f"samples with under a quarter of the real variety (spread < 0.25, near mode collapse): {', '.join(collapsed)}")
    return "\n".join(lines)


REPORT_HITS = {"DCGAN": "48/64", "WGAN": "52/64"}  # the report's detector counts (64x64, real anime data)


def _survived(table: pd.DataFrame, name: str) -> float:
    """Steps before divergence; infinity for a run that never diverged."""
    at = table.loc[name, "diverged at"]
    return float("inf") if pd.isna(at) else float(at)


def _fid_pair(table: pd.DataFrame, worse: str, better: str) -> tuple[str, bool]:
    a, b = table.loc[worse, "FID"], table.loc[better, "FID"]
    return f"FID {a:.3g} -> {b:.3g}", bool(b < a)


def _diverged_text(table: pd.DataFrame, name: str) -> str:
    at = _survived(table, name)
    return "did not diverge" if at == float("inf") else f"diverged at {int(at)}"


def tips_findings(table: pd.DataFrame) -> pd.DataFrame:
    """Each finding of the report checked against a tips table (``measure`` joined with
    ``training_summary``): what the report says, what was measured, whether it holds."""
    rows = []

    def claim(says: str, measured: str, holds: bool | None):
        rows.append({"report says": says, "measured here": measured,
                     "holds": "n/a" if holds is None else ("yes" if holds else "no")})

    for plain, normalized in (("baseline", "+normalized inputs"), ("+Adam for G", "+normalized +Adam for G"),
                              ("+Adam for both", "+normalized +Adam for both")):
        measured, holds = _fid_pair(table, plain, normalized)
        claim(f"normalizing inputs helps ({plain} -> {normalized})", measured, holds)
    claim("Adam for G alone still explodes without normalization", _diverged_text(table, "+Adam for G"),
          _survived(table, "+Adam for G") < float("inf"))
    longer = [_survived(table, n) for n in ("+normalized inputs", "+normalized +Adam for G")]
    claim("with normalization, Adam for G lasts longer before exploding than SGD",
          f"{_diverged_text(table, '+normalized inputs')} vs {_diverged_text(table, '+normalized +Adam for G')}",
          None if longer[0] == longer[1] == float("inf") else longer[1] > longer[0])
    both = ("+Adam for both", "+normalized +Adam for both")
    claim("Adam for both does not explode", ", ".join(_diverged_text(table, n) for n in both),
          all(_survived(table, n) == float("inf") for n in both))
    for g_only, both_adam in (("+Adam for G", "+Adam for both"), ("+normalized +Adam for G", "+normalized +Adam for both")):
        measured, holds = _fid_pair(table, g_only, both_adam)
        claim(f"Adam for both beats Adam for G ({g_only} -> {both_adam})", measured, holds)
    gentle = "baseline, SGD lr 0.01"
    if gentle in table.index:
        claim("when the loss explodes depends on the (tuned) learning rate",
              f"SGD {SGD_LEARNING_RATE:g}: {_diverged_text(table, 'baseline')}; SGD 0.01: {_diverged_text(table, gentle)}",
              None if _survived(table, "baseline") == _survived(table, gentle) == float("inf")
              else _survived(table, "baseline") != _survived(table, gentle))
    arms = table.drop(index=REAL_ROW, errors="ignore")
    best = arms["FID"].idxmin()
    claim("all tips (the DCGAN) gives the best samples", f"lowest FID: {best}", "DCGAN" in best)
    rows_frame = pd.DataFrame(rows)
    rows_frame.index = range(1, len(rows_frame) + 1)
    return rows_frame


def extra_tips_effect(table: pd.DataFrame, base: str = "+normalized +Adam for both") -> pd.DataFrame:
    """FID and detector hits of each ganhacks extra arm against the arm it was added to."""
    hits = [c for c in table.columns if c.startswith("animeface hits")][0]
    extras = [a.name for a in TIPS_ARMS if a.source == "ganhacks" and a.name in table.index]
    frame = table.loc[[base, *extras], ["FID", "KID", "spread", hits]].copy()
    frame["FID change vs base"] = frame["FID"] - table.loc[base, "FID"]
    return frame
