"""HW3 3-2 text-to-image: which tag-conditional model follows the tags, its grids, curves and numbers.

Three runs (see the registry), same generator (the condition concatenated to the noise), same
losses and batches: the report's conditional GAN with the joint one-hot (D also reads the tags),
and an auxiliary-classifier D (it names the hair and eye colours) with joint or separate one-hots.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from skimage.util import montage

from genlab.data.ranges import to_float
from genlab.data.tags import read_tag_file, tag_conditions
from genlab.eval.scores import animeface_agreement, tag_accuracy
from genlab.recipes.sources import SNAPSHOT_TAGS
from genlab.report.plots import image_grid, to_display
from genlab.report.tables import comparison_table
from genlab.train.driver import fixed_latent

RUNS = ("cgan_joint", "acgan_joint", "acgan_separate")
PER_ROW = 5
PAIRS_ROW = "all training pairs: {}"  # the closing table's row of each model over every pair
EYE_CEILING = "animeface_eye, real faces of the tag"
EYE_SHARE = "animeface_eye / real"
CURVE_PANELS = {"loss": ["d_loss", "g_loss"], "real/fake accuracy": ["d_real_acc", "d_fake_acc"],
                "tag accuracy of D's head": ["aux_real_acc", "aux_fake_acc"]}


def encoding(run) -> str:
    return run.spec.hparams["encoding"]


def requested_rows(tags_path) -> tuple[list, list]:
    """The tag file's lines and its distinct tags in order (lines repeating a tag share a row)."""
    requests = read_tag_file(tags_path)
    return requests, list(dict.fromkeys(tag for _, tag in requests))


def tag_conditions_for(tag, encoding_name: str) -> np.ndarray:
    """The condition vector of one tag in ``encoding_name``."""
    return tag_conditions([tag.hair_index], [tag.eye_index], encoding_name)[0]


def tag_ids(tags) -> tuple[np.ndarray, np.ndarray]:
    return np.array([t.hair_index for t in tags]), np.array([t.eye_index for t in tags])


def draw_rows(run, tags, seed: int, per_row: int = PER_ROW) -> np.ndarray:
    """``per_row`` samples for each tag; column j uses the same z in every row."""
    hair, eye = tag_ids(tags)
    z = np.tile(fixed_latent(per_row, run.model.latent_dim, seed), (len(hair), 1))
    return run.generate([z, tag_conditions(np.repeat(hair, per_row), np.repeat(eye, per_row), encoding(run))])


def pair_scores(runs: dict, classifier, records, eval_samples: int, seed: int) -> tuple[dict, int, int]:
    """Hair/eye/both accuracy of each model over every (hair, eye) pair in the data, each requested equally often.

    Returns ``(scores by label, number of pairs, samples per model)``.
    """
    pairs = np.unique(np.stack([records.hair, records.eye], axis=1), axis=0)
    per_pair = max(2, eval_samples // 50)
    hair, eye = np.repeat(pairs[:, 0], per_pair), np.repeat(pairs[:, 1], per_pair)
    scores = {label: tag_accuracy(classifier, run.sample(len(hair), seed + 1, tag_conditions(hair, eye, encoding(run))),
                                  hair, eye)
              for label, run in runs.items()}
    return scores, len(pairs), len(hair)


def training_tag_samples(runs: dict, records, n: int, seed: int) -> dict:
    """``{closing-table row: n samples in [-1, 1]}`` per model, asked for the tags of the first ``n`` training faces."""
    hair, eye = records.hair[:n], records.eye[:n]
    return {PAIRS_ROW.format(label): run.signed_sample(len(hair), seed, tag_conditions(hair, eye, encoding(run)))
            for label, run in runs.items()}


def encoding_figure(runs: dict, scores: dict, n_pairs: int, row_tags, image_size: int, seed: int):
    """Bars of each model's accuracy beside the requested rows each draws from the same z."""
    fig, axes = plt.subplots(1, 1 + len(runs), figsize=(4.2 * (1 + len(runs)), 4.4),
                             gridspec_kw={"width_ratios": [1.4] + [1] * len(runs)})
    metrics = {"hair_acc": "hair", "eye_acc": "eye", "both_acc": "both"}
    width = 0.8 / len(scores)
    for i, (label, score) in enumerate(scores.items()):
        axes[0].bar(np.arange(3) + width * i, [score[m] for m in metrics], width, label=label)
    axes[0].axhline(1 / n_pairs, color="grey", ls=":", lw=1, label="chance (both)")
    axes[0].set_xticks(np.arange(3) + width * (len(scores) - 1) / 2, list(metrics.values()))
    axes[0].set(ylim=(0, 1), ylabel="accuracy of generated faces", title=f"all {n_pairs} training pairs")
    axes[0].legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)  # below: the bars reach 1
    for ax, (label, run) in zip(axes[1:], runs.items()):
        tile = montage(to_display(draw_rows(run, row_tags, seed)), grid_shape=(len(row_tags), PER_ROW), channel_axis=-1)
        ax.imshow(tile)
        ax.set_yticks((np.arange(len(row_tags)) + 0.5) * image_size, [str(t) for t in row_tags], fontsize=7)
        ax.set_xticks([])
        ax.set_title(label, fontsize=9)
    fig.suptitle("how the tags enter: the report's conditional D or an auxiliary classifier, with joint or separate one-hots")
    fig.tight_layout()
    return fig


def tags_grid(run, row_tags, seed: int, title: str):
    return image_grid(draw_rows(run, row_tags, seed), len(row_tags), PER_ROW, row_labels=[str(t) for t in row_tags],
                      title=title)


def snapshot_figure(run, label: str):
    """The fixed snapshot tags and z at each snapshot step, one row per step."""
    steps = sorted(run.snapshots)
    grid = np.concatenate([run.snapshots[s] for s in steps])
    fig = image_grid(grid, len(steps), len(SNAPSHOT_TAGS), row_labels=[f"step {s}" for s in steps],
                     col_labels=[str(t).replace(" hair ", " hair\n") for t in SNAPSHOT_TAGS],
                     title=f"fixed z and tags over training ({label})")
    fig.subplots_adjust(top=0.82)
    return fig


def curves_figure(runs: dict):
    """Losses, real/fake accuracy and the auxiliary head's tag accuracy, one row per model."""
    fig, axes = plt.subplots(len(runs), len(CURVE_PANELS), figsize=(4.2 * len(CURVE_PANELS), 2.9 * len(runs)),
                             sharex=True, squeeze=False)
    for row, (label, run) in zip(axes, runs.items()):
        for ax, (panel, columns) in zip(row, CURVE_PANELS.items()):
            shown = [c for c in columns if c in run.history]
            for column in shown:
                ax.plot(run.history["step"], run.history[column], label=column)
            if not shown:
                ax.text(0.5, 0.5, "no auxiliary head", ha="center", va="center", transform=ax.transAxes, color="grey")
            ax.set(title=f"{label}: {panel}", xlabel="training step", ylim=(0, 1.02) if "accuracy" in panel else None)
            ax.title.set_fontsize(9)
            if shown:
                ax.legend(fontsize=7)
            ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def closing_table(best_run, best_label: str, scores: dict, n_scored: int, classifier, images, records, row_tags,
                  eval_samples: int, seed: int):
    """Per requested tag (best model), every model over all pairs, and real faces of the requested tags.

    Each tag's row also gives ``animeface``'s eye agreement on real faces of that tag (the ceiling: the
    detector misreads some colour pairs on real faces too) and the generated faces' share of it.
    """
    per_tag = max(5, eval_samples // len(row_tags))
    rows = []
    for tag in row_tags:
        hair, eye = np.full(per_tag, tag.hair_index), np.full(per_tag, tag.eye_index)
        fake = best_run.sample(per_tag, seed + 2 + tag.joint_index, tag_conditions(hair, eye, encoding(best_run)))
        agreement = animeface_agreement(fake, hair, eye)
        real = np.flatnonzero((records.hair == tag.hair_index) & (records.eye == tag.eye_index))[:per_tag]
        ceiling = animeface_agreement(to_float(images[real]), records.hair[real], records.eye[real])["animeface_eye"]
        rows.append({"faces": f"{tag} (best model)", "samples": per_tag, **tag_accuracy(classifier, fake, hair, eye),
                     **agreement, EYE_CEILING: ceiling,
                     EYE_SHARE: agreement["animeface_eye"] / ceiling if ceiling else float("nan")})
    for label, score in scores.items():
        rows.append({"faces": PAIRS_ROW.format(label), "samples": n_scored, **score})
    row_hair, row_eye = tag_ids(row_tags)
    real = np.flatnonzero(np.isin(records.hair * 100 + records.eye, row_hair * 100 + row_eye))[:eval_samples]
    rows.append({"faces": "real faces of the requested tags", "samples": len(real),
                 **tag_accuracy(classifier, to_float(images[real]), records.hair[real], records.eye[real]),
                 **animeface_agreement(to_float(images[real]), records.hair[real], records.eye[real])})
    return comparison_table(rows)
