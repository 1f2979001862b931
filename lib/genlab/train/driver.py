"""The run driver: ``train()`` fits a trainer for a number of steps with exact resume.

Everything that makes a run robust lives here and in :mod:`genlab.train.callbacks`, not in
the trainers: fixed-step intervals, checkpoints by name with exact resume, the divergence
guard, the metrics CSV and the sample snapshots.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from genlab import paths
from genlab.runtime import LOADED_MESSAGE, headless
from genlab.train import callbacks as C
from genlab.train.checkpoints import CheckpointStore


@dataclass
class TrainResult:
    """What a call to :func:`train` produced."""

    history: pd.DataFrame
    run_dir: Path
    steps: int
    resumed_from: int = 0
    diverged: dict | None = None
    seconds: float = 0.0
    images_per_second: float = float("nan")
    snapshots: dict = field(default_factory=dict)


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow (initial weights, dropout) in one call."""
    keras.utils.set_random_seed(int(seed))


def fixed_latent(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """A fixed batch of z ~ N(0, I) for sample grids that stay comparable across steps."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")


def _images_per_batch(dataset: tf.data.Dataset) -> int:
    spec = dataset.element_spec[0] if isinstance(dataset.element_spec, tuple) else dataset.element_spec
    return spec.shape[0]


def train(
    model,
    dataset: tf.data.Dataset,
    steps: int,
    run_dir,
    log_every: int = 50,
    checkpoint_every: int | None = None,
    callbacks=(),
    divergence_bound: float = 1e4,
    watch: tuple[str, ...] | None = None,
    resume: bool = True,
    tensorboard: bool = True,
    verbose=None,
) -> TrainResult:
    """Train ``model`` for ``steps`` steps, resuming from ``run_dir`` if a checkpoint is there.

    ``dataset`` must yield batches in a deterministic order (seeded shuffle); it is repeated
    and, on resume, the batches already consumed are skipped, so an interrupted run continues
    exactly where it stopped. Metrics are averaged over ``log_every``-step intervals (one
    ``fit()`` epoch each) into ``run_dir/history.csv``; checkpoints are written every
    ``checkpoint_every`` steps (default: 4 intervals) and at the end.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    log_every = max(1, min(int(log_every), int(steps)))
    if steps % log_every:
        raise ValueError(f"steps ({steps}) must be a multiple of log_every ({log_every})")
    checkpoint_every = checkpoint_every or 4 * log_every
    if checkpoint_every % log_every:
        raise ValueError(f"checkpoint_every ({checkpoint_every}) must be a multiple of log_every ({log_every})")

    # Two notebooks may share a run (the WGAN comparison reuses 3-1's DCGAN); with notebooks
    # side by side the second waits here for the first and then resumes at its last step.
    with paths.exclusive(run_dir):
        store = CheckpointStore(run_dir / "checkpoints", model)
        start = 0
        if resume:
            start = store.restore_latest()
        else:
            store.clear()
        guard = C.DivergenceGuard(bound=divergence_bound, watch=watch)
        history_log = C.HistoryCSV(run_dir / "history.csv", resume_step=start, guard=guard)
        result = TrainResult(history=history_log.frame(), run_dir=run_dir, steps=start, resumed_from=start)
        if start >= steps:
            print(f"{run_dir.name}: {LOADED_MESSAGE} at step {start}")
            result.snapshots = C.load_snapshots(run_dir)
            return result
        if start:
            print(f"{run_dir.name}: resuming from its checkpoint at step {start} of {steps}")

        saver = C.PeriodicCheckpoint(store, every=checkpoint_every, total=steps, guard=guard)
        timer = C.Throughput(images_per_step=_images_per_batch(dataset))
        all_callbacks = [timer, guard, history_log, *callbacks, saver]
        if tensorboard:
            all_callbacks.append(keras.callbacks.TensorBoard(log_dir=str(run_dir / "tensorboard"), write_graph=False))
        for cb in all_callbacks:
            if isinstance(cb, C.StepCallback):
                cb.steps_per_epoch = log_every

        batches = dataset.repeat().skip(start) if start else dataset.repeat()
        if verbose is None:
            verbose = 2 if headless() else 1
        model.fit(
            batches,
            epochs=steps // log_every,
            initial_epoch=start // log_every,
            steps_per_epoch=log_every,
            callbacks=all_callbacks,
            verbose=verbose,
            shuffle=False,
        )
        if guard.event is not None:
            result.diverged = guard.event
            restored = store.restore_latest()
            print(
                f"Training diverged at step {guard.event['step']} ({guard.event['reason']}); "
                + (f"weights restored from the last good checkpoint (step {restored})." if restored else "no checkpoint to restore.")
            )
        result.history = history_log.frame()
        result.steps = guard.event["step"] if guard.event else steps
        result.seconds = timer.seconds
        result.images_per_second = timer.images_per_second
        result.snapshots = C.load_snapshots(run_dir)
        return result
