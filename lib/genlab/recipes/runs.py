"""One type for every trained run, and the one function that trains (or resumes, or loads) a declared run."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from genlab.data.pipeline import image_dataset
from genlab.data.ranges import to_signed
from genlab.recipes.registry import RunSpec
from genlab.recipes.sources import calibration_inputs
from genlab.report.plots import snapshot_viewer
from genlab.runtime import headless
from genlab.train.average import decay_for
from genlab.train.callbacks import SampleSnapshots
from genlab.train.devices import strategy_scope
from genlab.train.driver import TrainResult, fixed_latent, set_seed, train
from genlab.train.inference import generate


@dataclass
class Run:
    """A trained (or resumed) run: its declaration, trainer, training record and snapshot inputs."""

    spec: RunSpec
    model: object
    result: TrainResult
    snapshot_inputs: object = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        return self.spec.label or self.spec.name

    @property
    def history(self):
        return self.result.history

    @property
    def snapshots(self) -> dict:
        return self.result.snapshots

    @property
    def diverged_at(self) -> int | None:
        return int(self.result.diverged["step"]) if self.result.diverged else None

    def events(self) -> list[tuple[int, str]]:
        """``[(step, "diverged")]`` for a run the divergence guard stopped, else ``[]``: for the curves."""
        return [(self.diverged_at, "diverged")] if self.result.diverged else []

    @property
    def averaged(self) -> bool:
        """Whether samples come from a moving average of the generator (``raw=True`` gives the raw one)."""
        return getattr(self.model, "average", None) is not None

    def network(self, raw: bool = False):
        """The network samples come from: the generator average by default, the raw generator with ``raw``."""
        return self.model.generator if raw and self.averaged else self.model.sampler

    def generate(self, inputs, raw: bool = False) -> np.ndarray:
        """The sampler (generator or decoder) on ``inputs``, in batches, in the run's value range."""
        return generate(self.network(raw), inputs)

    def sample(self, n: int, seed: int, conditions=None, raw: bool = False) -> np.ndarray:
        """n images from z drawn with ``seed`` (and the given conditions), in the run's value range."""
        z = fixed_latent(n, self.model.latent_dim, seed)
        return self.generate(z if conditions is None else [z, np.asarray(conditions, dtype="float32")], raw)

    def signed_sample_of(self, inputs, raw: bool = False) -> np.ndarray:
        """:meth:`generate` on ``inputs``, mapped to [-1, 1] whatever range the run trained in."""
        return to_signed(self.generate(inputs, raw), self.spec.value_range)

    def signed_sample(self, n: int, seed: int, conditions=None, raw: bool = False) -> np.ndarray:
        """:meth:`sample` mapped to [-1, 1] whatever range the run trained in (NaN becomes grey)."""
        return to_signed(self.sample(n, seed, conditions, raw), self.spec.value_range)


# The library code a trained run's weights depend on: a change here retrains every run.
TRAINING_CODE = ("train", "nets", "data/pipeline.py", "recipes/builders.py", "recipes/sources.py", "recipes/runs.py")
# Profile fields that never reach a training run (evaluation sizes, names, other models' steps).
NOT_TRAINING = ("name", "summary", "steps", "eval_samples", "classifier_epochs", "left_out_runs")
# RunSpec fields that only describe or schedule a run.
NOT_RUN = ("label", "summary", "origin", "reused_by", "notebook")


def training_code_hash(library: Path | None = None) -> str:
    """Hash of the modules in ``TRAINING_CODE`` of ``library`` (default: this genlab)."""
    library = Path(library or Path(__file__).resolve().parents[1])
    digest = hashlib.sha256()
    for entry in TRAINING_CODE:
        for module in sorted((library / entry).rglob("*.py")) if (library / entry).is_dir() else [library / entry]:
            digest.update(module.relative_to(library).as_posix().encode() + module.read_bytes())
    return digest.hexdigest()[:16]


def run_fingerprint(spec: RunSpec, profile) -> str:
    """Twelve hex digits naming everything a run's training depends on beside its data and seed.

    The run's declaration (hyperparameters, batch, generator average), the profile's sizes and
    its steps for this run, and the training code: a run folder named by it is never resumed or
    loaded under settings it was not trained with, and a change to one run retrains that run alone.
    """
    declared = {f.name: getattr(spec, f.name) for f in fields(spec) if f.name not in NOT_RUN}
    sizes = {key: value for key, value in asdict(profile).items() if key not in NOT_TRAINING}
    text = json.dumps({"run": declared, "profile": sizes, "steps": profile.steps_for(spec.step_key),
                       "code": training_code_hash()}, sort_keys=True, default=_callable_name)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _callable_name(value) -> str:
    if callable(value):
        return f"{value.__module__}.{value.__qualname__}"
    raise TypeError(f"run fingerprint: cannot describe {value!r}")


def train_run(spec: RunSpec, profile, seed: int, run_dir, images: np.ndarray, conditions=None, callbacks=()) -> Run:
    """Build ``spec``'s trainer right after reseeding, then train it for the profile's steps on uint8 ``images``.

    Resumes from ``run_dir``'s last checkpoint, or loads a finished run. Snapshots of fixed
    inputs (default: 25 z drawn from ``seed``) are taken at the reports' 1k/5k/10k/15k/20k points
    scaled to the run's length. ``callbacks`` are extra Keras callbacks (the bench's probes).
    """
    set_seed(seed)
    with strategy_scope():  # built and compiled under the process's strategy; fit() trains under the same
        model = spec.build(profile, seed, **spec.hparams)
    steps = profile.steps_for(spec.step_key)
    if spec.ema_half_life:
        model.average_generator(decay_for(steps, spec.ema_half_life), spec.ema_statistics)
        if spec.ema_recalibrate:
            model.average.calibrate_with(calibration_inputs(model, conditions))
    batch = (spec.batch_size or profile.batch_size) * getattr(model, "n_critic", 1)
    dataset = image_dataset(images, conditions, batch_size=batch, value_range=spec.value_range, seed=seed)
    callbacks, inputs = list(callbacks), None
    if spec.snapshot:
        inputs = (spec.snapshots(seed, model.latent_dim) if spec.snapshots
                  else fixed_latent(25, model.latent_dim, seed))
        show = None if headless() else snapshot_viewer(spec.value_range)
        callbacks.append(SampleSnapshots(run_dir, inputs, profile.snapshot_steps(steps), show=show))
    result = train(model, dataset, steps, run_dir, log_every=profile.log_interval(steps), callbacks=callbacks,
                   divergence_bound=spec.divergence_bound, watch=spec.watch)
    return Run(spec, model, result, inputs)
