"""Recipes the notebooks share: build a profile's networks, train a GAN run, sample from it.

A notebook says *what* to train (loss, optimizers, conditions); this module does the
plumbing (dataset, fixed z, snapshots, resume) so every part trains the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from genlab import callbacks as C
from genlab import data as D
from genlab import models as M
from genlab import training as T
from genlab.vocab import EYE_COLORS, HAIR_COLORS


def adam(lr: float = 2e-4, beta_1: float = 0.5):
    """The DCGAN paper's optimizer (Adam, lr 2e-4, beta1 0.5)."""
    return keras.optimizers.Adam(lr, beta_1=beta_1)


def dcgan_pair(profile, cond_dim: int = 0, critic: bool = False, latent_dim: int = 100):
    """DCGAN generator and discriminator at the profile's size (critic: no BatchNorm, for WGAN-GP)."""
    generator = M.build_dcgan_generator(latent_dim, profile.image_size, profile.dcgan_filters, cond_dim=cond_dim)
    discriminator = M.build_dcgan_discriminator(
        profile.image_size, profile.dcgan_filters, cond_dim=cond_dim, batch_norm=not critic, layer_norm=critic
    )
    return generator, discriminator


@dataclass
class GanRun:
    """A trained (or resumed) GAN run with its fixed sampling inputs."""

    name: str
    model: T.GAN
    result: T.TrainResult
    fixed_inputs: object

    def sample(self, n: int, seed: int, conditions=None) -> np.ndarray:
        """n images in [-1, 1] from z drawn with ``seed`` (and the given conditions)."""
        z = T.fixed_latent(n, self.model.latent_dim, seed)
        inputs = z if conditions is None else [z, np.asarray(conditions, dtype="float32")]
        return sample_in_batches(self.model.generator, inputs)

    @property
    def history(self):
        return self.result.history


def sample_in_batches(generator, inputs, batch_size: int = 256) -> np.ndarray:
    """Run a generator on (lists of) arrays in batches; returns float32 numpy."""
    arrays = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    n = len(arrays[0])
    outputs = []
    for start in range(0, n, batch_size):
        chunk = [a[start : start + batch_size] for a in arrays]
        outputs.append(np.asarray(generator(chunk if len(chunk) > 1 else chunk[0], training=False), dtype="float32"))
    return np.concatenate(outputs)


def train_gan(
    session,
    name: str,
    model: T.GAN,
    images: np.ndarray,
    conditions: np.ndarray | None = None,
    steps: int | None = None,
    step_key: str = "dcgan",
    snapshot_inputs=None,
    n_snapshot: int = 25,
    batch_size: int | None = None,
    value_range=(-1.0, 1.0),
    **train_options,
) -> GanRun:
    """Train a compiled GAN trainer on uint8 ``images`` (and float ``conditions``) for the profile.

    Snapshots of ``snapshot_inputs`` (default: 25 fixed z drawn from the session seed) are
    taken at the reports' 1k/5k/10k/15k/20k points scaled to ``steps``.
    """
    profile = session.profile
    steps = steps or profile.steps_for(step_key)
    batch = (batch_size or profile.batch_size) * getattr(model, "n_critic", 1)
    dataset = D.image_dataset(images, conditions, batch_size=batch, value_range=value_range, seed=session.seed)
    if snapshot_inputs is None:
        snapshot_inputs = T.fixed_latent(n_snapshot, model.latent_dim, session.seed)
    run_dir = session.run_dir(name)
    snapshots = C.SampleSnapshots(run_dir, snapshot_inputs, profile.snapshot_steps(steps), show=not T.headless(),
                                  value_range=value_range)
    result = T.train(model, dataset, steps, run_dir, log_every=profile.log_interval(steps), callbacks=[snapshots],
                     **train_options)
    return GanRun(name, model, result, snapshot_inputs)


# -- text-to-image conditions ------------------------------------------------------------------


def tag_conditions(hair: np.ndarray, eye: np.ndarray, encoding: str = "joint") -> np.ndarray:
    """Condition vectors for (hair, eye) class ids.

    ``joint``: one-hot over every hair x eye pair (the report's encoding, 12 x 11 classes);
    ``separate``: a hair one-hot followed by an eye one-hot (12 + 11 values).
    """
    hair, eye = np.asarray(hair, dtype=int), np.asarray(eye, dtype=int)
    n_hair, n_eye = len(HAIR_COLORS), len(EYE_COLORS)
    if encoding == "joint":
        return np.eye(n_hair * n_eye, dtype="float32")[hair * n_eye + eye]
    if encoding == "separate":
        return np.concatenate([np.eye(n_hair, dtype="float32")[hair], np.eye(n_eye, dtype="float32")[eye]], axis=1)
    raise ValueError(f"unknown condition encoding {encoding!r}; use 'joint' or 'separate'")


def condition_dim(encoding: str) -> int:
    return tag_conditions(np.zeros(1), np.zeros(1), encoding).shape[1]


def anime_classifier(session, images: np.ndarray, records):
    """The evaluation classifier for anime faces: categorical hair (12) and eye (11) heads."""
    return session.classifier("anime", images, {"hair": records.hair, "eye": records.eye},
                              {"hair": ("categorical", len(HAIR_COLORS)), "eye": ("categorical", len(EYE_COLORS))})


def tag_accuracy(classifier, images: np.ndarray, hair: np.ndarray, eye: np.ndarray) -> dict:
    """Hair, eye and both-correct accuracy of images generated for the given class ids."""
    probs = classifier.predict(images)
    hair_ok = probs["hair"].argmax(axis=1) == np.asarray(hair)
    eye_ok = probs["eye"].argmax(axis=1) == np.asarray(eye)
    return {"hair_acc": float(hair_ok.mean()), "eye_acc": float(eye_ok.mean()), "both_acc": float((hair_ok & eye_ok).mean())}
