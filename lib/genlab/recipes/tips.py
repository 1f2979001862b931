"""HW3 training tips: the ablation's arms, what each changes, and the report's findings checked against the numbers.

Every arm is a run in :mod:`genlab.recipes.registry`; the "all tips" arm is 3-1's DCGAN run.
Un-normalized arms see real images in [0, 1] (PyTorch's ``ToTensor()`` before the tip's
``Normalize(0.5, 0.5)``), normalized ones in [-1, 1].
"""
from __future__ import annotations

import pandas as pd

from genlab.data.ranges import SIGNED
from genlab.recipes import registry
from genlab.recipes.image_generation import REAL_ROW, hits_column, measure
from genlab.report.tables import final_losses

# The arms in the order the figures show them: (label, run name).
ARMS: tuple[tuple[str, str], ...] = (
    ("baseline", "tips_baseline"),
    ("+normalized inputs", "tips_normalized_inputs"),
    ("+Adam for G", "tips_adam_for_g"),
    ("+normalized +Adam for G", "tips_normalized_adam_for_g"),
    ("+Adam for both", "tips_adam_for_both"),
    ("+normalized +Adam for both", "tips_normalized_adam_for_both"),
    ("all tips (DCGAN)", "dcgan"),
    ("+label smoothing", "tips_label_smoothing"),
    ("+instance noise", "tips_instance_noise"),
    ("+noisy labels", "tips_noisy_labels"),
    ("baseline, SGD lr 0.01", "tips_baseline_sgd_lr_0_01"),
)
SGD_LEARNING_RATE = registry.TIPS_SGD["config"]["learning_rate"]


def _optimizer_text(config: dict) -> str:
    name = config["class_name"]
    return f"{name} {config['config']['learning_rate']:g}" if name == "SGD" else name


def arms_table() -> pd.DataFrame:
    """What each arm changes: input range, optimizers, extra tricks, where the tip comes from."""
    rows = {}
    for label, name in ARMS:
        spec = registry.get(name)
        h = spec.hparams
        rows[label] = {
            "network": "MLP" if spec.notebook == registry.TIPS_NB else "DCGAN (3-1 run)",
            "inputs": "[-1, 1]" if spec.value_range == SIGNED else "[0, 1]",
            "D optimizer": _optimizer_text(h["d_optimizer"]),
            "G optimizer": _optimizer_text(h["g_optimizer"]),
            "extra": registry.tricks_text(h),
            "from": spec.origin,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def training_summary(runs: dict) -> pd.DataFrame:
    """Per arm: steps trained, where it diverged (if it did) and the last logged losses."""
    rows = {label: {"steps": run.result.steps, "diverged at": run.diverged_at, **final_losses(run.history)}
            for label, run in runs.items()}
    return pd.DataFrame.from_dict(rows, orient="index").astype({"steps": "Int64", "diverged at": "Int64"})


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
    hits = hits_column(table)
    extras = [label for label, name in ARMS if registry.get(name).origin == "ganhacks" and label in table.index]
    frame = table.loc[[base, *extras], ["FID", "KID", "spread", hits]].copy()
    frame["FID change vs base"] = frame["FID"] - table.loc[base, "FID"]
    return frame


def raw_generator_columns(classifier, images, runs: dict, n: int, seed: int) -> pd.DataFrame:
    """FID and detector hits of each arm's raw generator (the report's method), for arms that keep an average."""
    raw = {label: run.signed_sample(n, seed, raw=True) for label, run in runs.items() if run.averaged}
    if not raw:
        return pd.DataFrame(index=list(runs))
    table = measure(classifier, images, raw, seed).drop(index=REAL_ROW)
    hits = hits_column(table)
    return table[["FID", hits]].rename(columns={"FID": "FID, raw generator", hits: f"{hits}, raw generator"})
