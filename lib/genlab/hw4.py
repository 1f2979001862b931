"""Recipes for the DLCV hw4 notebooks: VAE training and read-outs, the celeb evaluation classifier.

The report's networks come from :mod:`genlab.models`; smaller profiles scale their widths
(``profile.width``) and, for the VAE, the latent size.
"""
from __future__ import annotations

import numpy as np

from genlab import data as D
from genlab import models as M
from genlab import training as T
from genlab.notebook import to_float

# The attributes the celeb evaluation classifier learns (all 13 DLCV columns).
SMILING = "Smiling"


def vae_latent_dim(profile) -> int:
    """The report's 1024-d latent at full width, scaled with the profile's width (at least 16)."""
    return max(16, int(round(1024 * profile.width)))


def train_vae(session, name: str, images: np.ndarray, kl_weight: float, steps: int | None = None):
    """Train the report VAE (scaled to the profile) on uint8 ``images``; returns (VAE, TrainResult)."""
    profile = session.profile
    T.set_seed(session.seed)
    networks = M.build_vae(latent_dim=vae_latent_dim(profile), image_size=profile.image_size, width=profile.width)
    vae = T.VAE(networks.encoder, networks.decoder, kl_weight=kl_weight, seed=session.seed)
    import keras

    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    steps = steps or profile.steps_for("vae")
    dataset = D.image_dataset(images, batch_size=profile.batch_size, value_range=(0.0, 1.0), seed=session.seed)
    result = T.train(vae, dataset, steps, session.run_dir(name), log_every=profile.log_interval(steps))
    return vae, result


def unit(images: np.ndarray) -> np.ndarray:
    """uint8 images to float32 in [0, 1] (the VAE's range)."""
    return to_float(images, (0.0, 1.0))


def reconstruct(vae, images01: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Deterministic reconstructions (decoder of the latent mean)."""
    return np.concatenate([np.asarray(vae(images01[i : i + batch_size], training=False))
                           for i in range(0, len(images01), batch_size)])


def reconstruction_mse(vae, images01: np.ndarray) -> float:
    """Mean squared error over every pixel of ``images01`` (range [0, 1], as the report)."""
    return float(np.mean((reconstruct(vae, images01) - images01) ** 2))


def latent_means(vae, images01: np.ndarray, batch_size: int = 256) -> np.ndarray:
    return np.concatenate([np.asarray(vae.encode(images01[i : i + batch_size])[0])
                           for i in range(0, len(images01), batch_size)])


def vae_samples(vae, n: int, seed: int) -> np.ndarray:
    """Decoder outputs for z ~ N(0, I) drawn with ``seed`` (range [0, 1])."""
    z = T.fixed_latent(n, vae.latent_dim, seed)
    return np.asarray(vae.decoder(z, training=False))


def celeb_classifier(session, images: np.ndarray, records):
    """The evaluation classifier for celeb faces: one binary head over the DLCV attributes."""
    return session.classifier("celeb-dlcv", images, {"attrs": records.attrs}, {"attrs": ("binary", len(records.names))})


def attribute_probabilities(classifier, images_pm1: np.ndarray, names, attribute: str) -> np.ndarray:
    """P(attribute) for images in [-1, 1]."""
    return classifier.predict(images_pm1)["attrs"][:, list(names).index(attribute)]
