"""HW3 3-1 and the WGAN comparison: the settings against the report's, and the numbers every model gets.

The DCGAN, WGAN, WGAN-GP and LSGAN runs are declared in :mod:`genlab.recipes.registry`; the
comparison's DCGAN is 3-1's run, reused.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from genlab.data.ranges import to_float, to_signed
from genlab.eval.detectors import animeface_hit_rate
from genlab.eval.distances import distance_report, feature_spread
from genlab.recipes import registry

REPORT_HITS = {"DCGAN": "48/64", "WGAN": "52/64"}  # the report's detector counts (64x64, real anime data)
OBJECTIVES = ("dcgan", "wgan", "wgan_gp", "lsgan")
HITS = "animeface hits"  # the detector column's name, before " /n"
RAW = ", raw generator"  # the row of the report's own method: samples of the generator as trained


def samples_by_model(runs: dict, n: int, seed: int) -> dict:
    """``{label: n samples}`` in [-1, 1] from each run's generator average, then ``{label + RAW: ...}``
    from its raw generator where the run keeps an average (the report sampled the raw one)."""
    samples = {}
    for label, run in runs.items():
        samples[label] = run.signed_sample(n, seed)
        if run.averaged:
            samples[label + RAW] = run.signed_sample(n, seed, raw=True)
    return samples


def report_hits(label: str) -> str | None:
    """The report's detector count for a row (its raw-generator row included), if the report has one."""
    return REPORT_HITS.get(label.removesuffix(RAW))

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


def d_normalization(hparams: dict) -> str:
    """How an objective run's discriminator is normalized (see ``builders.dcgan_networks``)."""
    if hparams.get("spectral_norm"):
        return "spectral norm"
    return "LayerNorm" if hparams.get("critic") else "BatchNorm"


def objectives_table(names=OBJECTIVES, profile=None) -> pd.DataFrame:
    """Loss, optimizers and critic settings of the named objective runs, as ``profile`` trains them."""
    rows = {}
    for name in names:
        spec = registry.get(name, profile)
        h = spec.hparams
        rows[spec.label] = {"loss": h["loss"], "critic updates per G update": h.get("n_critic", 1),
                            "weight clip": h.get("clip_value") or "", "D normalization": d_normalization(h),
                            "added": registry.tricks_text(h), "setting": spec.summary}
    return pd.DataFrame.from_dict(rows, orient="index")


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
    if not fakes:
        raise ValueError("measure needs at least one model's samples")
    hits_column = f"{HITS} /{n_detect}"
    real_features = classifier.features(to_float(real_images))
    shown = np.random.default_rng(seed).choice(len(real_images), size=min(n_detect, len(real_images)), replace=False)
    real_spread = feature_spread(real_features, seed=seed)
    rows = {REAL_ROW: {"spread": 1.0, hits_column: animeface_hit_rate(real_images[shown])["hits"]}}
    for name, fake in fakes.items():
        fake = to_signed(fake)
        fake_features = classifier.features(fake)
        report = distance_report(real_features, fake_features, seed=seed)
        rows[REAL_ROW].update({"FID": report["fid_floor"], "KID": report["kid_floor"]})
        rows[name] = {"FID": report["fid"], "KID": report["kid"],
                      "spread": feature_spread(fake_features, seed=seed) / real_spread,
                      hits_column: animeface_hit_rate(fake[:n_detect])["hits"]}
    return pd.DataFrame.from_dict(rows, orient="index")[["FID", "KID", "spread", hits_column]]


def hits_column(table: pd.DataFrame) -> str:
    """The name of a :func:`measure` table's detector column ("animeface hits /64")."""
    return next(c for c in table.columns if c.startswith(HITS))


def rank_statement(table: pd.DataFrame) -> str:
    """Which model leads on each number of a :func:`measure` table (real row excluded)."""
    models = table.drop(index=REAL_ROW, errors="ignore")
    hits = hits_column(table)
    most_hits = (f"most detector hits: {models[hits].idxmax()} ({models[hits].max()}{hits[len(HITS) + 1:]}; "
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
