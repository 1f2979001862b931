"""Keras callbacks for long, interruptible GAN runs.

All step-aware callbacks count global training steps as ``epoch * steps_per_epoch + batch + 1``
(the run driver uses one ``fit()`` epoch per logging interval), so they agree after a resume.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from genlab import paths


class StepCallback(keras.callbacks.Callback):
    """Base class that knows the global step at every batch."""

    steps_per_epoch: int = 1

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def step_at(self, batch: int) -> int:
        return getattr(self, "_epoch", 0) * self.steps_per_epoch + batch + 1

    def epoch_end_step(self, epoch: int) -> int:
        return (epoch + 1) * self.steps_per_epoch


# ----------------------------------------------------------------------------------------
# Checkpoints
# ----------------------------------------------------------------------------------------


class PeriodicCheckpoint(StepCallback):
    """Saves a checkpoint every ``every`` steps and at the end, unless the run diverged."""

    def __init__(self, store, every: int, total: int, guard=None):
        super().__init__()
        self.store, self.every, self.total, self.guard = store, every, total, guard

    def on_epoch_end(self, epoch, logs=None):
        step = self.epoch_end_step(epoch)
        if self.guard is not None and self.guard.event is not None:
            return
        if step % self.every == 0 or step >= self.total:
            self.store.save(step)


# ----------------------------------------------------------------------------------------
# History, divergence, throughput
# ----------------------------------------------------------------------------------------


class HistoryCSV(StepCallback):
    """Appends one row of interval-averaged metrics per logging interval to a CSV.

    On resume, rows after the checkpoint's step are dropped (they will be recomputed).
    """

    def __init__(self, path, resume_step: int = 0, guard=None):
        super().__init__()
        self.path = Path(path)
        self.guard = guard
        self.rows = self._read(resume_step)
        self._write()

    def _read(self, up_to: int) -> list[dict]:
        if not self.path.exists() or up_to == 0:
            return []
        frame = pd.read_csv(self.path)
        return frame[frame["step"] <= up_to].to_dict("records")

    def _write(self):
        frame = self.frame()
        paths.write_atomically(self.path, lambda f: f.write(frame.to_csv(index=False).encode()))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows) if self.rows else pd.DataFrame({"step": []})

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        row = {"step": self.epoch_end_step(epoch)}
        guard = self.guard
        if guard is not None and guard.event is not None:
            row["step"] = guard.event["step"]
            row["event"] = "diverged: " + guard.event["reason"]
        row.update({k: float(v) for k, v in (logs or {}).items()})
        row["seconds"] = time.perf_counter() - getattr(self, "_started", time.perf_counter())
        self.rows.append(row)
        self._write()


class DivergenceGuard(StepCallback):
    """Stops training when a watched metric becomes NaN/inf or exceeds ``bound`` in magnitude.

    The event (step, metric, value) is kept in ``self.event``; the checkpoint callback then
    skips saving, so the last good checkpoint survives.
    """

    def __init__(self, bound: float = 1e4, watch=None):
        super().__init__()
        self.bound = bound
        self.watch = tuple(watch) if watch else None
        self.event = None

    def on_train_batch_end(self, batch, logs=None):
        if self.event is not None or not logs:
            return
        for name, value in logs.items():
            if self.watch and name not in self.watch:
                continue
            value = float(value)
            if not math.isfinite(value) or abs(value) > self.bound:
                reason = f"{name} = {value:.4g}" + ("" if not math.isfinite(value) else f" beyond +-{self.bound:g}")
                self.event = {"step": self.step_at(batch), "metric": name, "value": value, "reason": reason}
                self.model.stop_training = True
                return


class Throughput(StepCallback):
    """Measures wall time and training images per second (excluding the first interval's tracing)."""

    def __init__(self, images_per_step=None):
        super().__init__()
        self.images_per_step = images_per_step
        self.seconds = 0.0
        self._steady_seconds = 0.0
        self._steady_steps = 0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self._first_epoch = True

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if not self._first_epoch:
            self._steady_seconds += time.perf_counter() - self._epoch_start
            self._steady_steps += self.steps_per_epoch
        self._first_epoch = False

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start

    @property
    def images_per_second(self) -> float:
        if not self._steady_steps or not self.images_per_step:
            return float("nan")
        return self._steady_steps * self.images_per_step / self._steady_seconds


# ----------------------------------------------------------------------------------------
# Sample snapshots
# ----------------------------------------------------------------------------------------


class SampleSnapshots(StepCallback):
    """Generates images from fixed inputs at chosen steps and saves them under ``run_dir/samples``.

    ``inputs`` is what the trainer's sampler takes (``z`` or ``[z, c]``), fixed once so grids
    are comparable across steps. ``show(images, step)``, when given (interactive use), displays
    the newest snapshot.
    """

    def __init__(self, run_dir, inputs, at_steps, show=None):
        super().__init__()
        self.directory = Path(run_dir) / "samples"
        self.inputs = inputs
        self.at_steps = {int(s) for s in at_steps}
        self.show = show

    def on_train_batch_end(self, batch, logs=None):
        step = self.step_at(batch)
        if step not in self.at_steps:
            return
        images = np.asarray(self.model.sampler(self.inputs, training=False)).astype("float32")
        path = self.directory / f"step-{step:08d}.npy"
        paths.write_atomically(path, lambda f: np.save(f, images))
        if self.show is not None:
            self.show(images, step)


def load_snapshots(run_dir) -> dict[int, np.ndarray]:
    """Sample snapshots of a run, keyed by step."""
    directory = Path(run_dir) / "samples"
    if not directory.exists():
        return {}
    return {int(p.stem.split("-")[1]): np.load(p) for p in sorted(directory.glob("step-*.npy"))}
