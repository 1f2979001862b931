"""HW3 3-2 text-to-image: the conditional GANs that draw faces from hair and eye tags.

Two ways to make a DCGAN follow tags, both with the condition at the generator's input:

- ``"cgan"``, the report's model: the discriminator also receives the condition (tiled over
  its last 4x4 map and mixed by a 1x1 conv) and judges image and tags together.
- ``"acgan"``: the discriminator sees only the image and names its hair and eye colours with
  an auxiliary head (Odena et al. 2017); the generator is rewarded when its faces are named
  as requested. The head learns from real faces only (``fake_aux_weight=0``), so the
  generator cannot agree with it on class-coded noise.

Conditions come in two encodings (``experiments.tag_conditions``): ``"joint"``, one one-hot
over every hair x eye pair (the report's), and ``"separate"``, a hair one-hot then an eye one-hot.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from genlab import experiments as X
from genlab import models as M
from genlab import training as T
from genlab.vocab import EYE_COLORS, HAIR_COLORS

N_HAIR, N_EYE = len(HAIR_COLORS), len(EYE_COLORS)
LATENT_DIM = 100
KINDS = ("cgan", "acgan")


def decode_tags(conditions, encoding: str):
    """(hair ids, eye ids) from condition vectors made by ``experiments.tag_conditions``."""
    if encoding == "joint":
        joint = tf.argmax(conditions, axis=1, output_type=tf.int32)
        return joint // N_EYE, joint % N_EYE
    if encoding == "separate":
        return (tf.argmax(conditions[:, :N_HAIR], axis=1, output_type=tf.int32),
                tf.argmax(conditions[:, N_HAIR:], axis=1, output_type=tf.int32))
    raise ValueError(f"unknown condition encoding {encoding!r}; use 'joint' or 'separate'")


def encode_tags(hair, eye, encoding: str):
    """Condition vectors (float32) for hair and eye ids, as ``experiments.tag_conditions`` in TensorFlow."""
    if encoding == "joint":
        return tf.one_hot(hair * N_EYE + eye, N_HAIR * N_EYE)
    if encoding == "separate":
        return tf.concat([tf.one_hot(hair, N_HAIR), tf.one_hot(eye, N_EYE)], axis=1)
    raise ValueError(f"unknown condition encoding {encoding!r}; use 'joint' or 'separate'")


def build_tag_gan(profile, kind: str, encoding: str, seed: int) -> T.GAN:
    """The compiled tag-conditional DCGAN ``kind`` (cgan or acgan) with ``encoding``, at the profile's size.

    Non-saturating loss, Adam 2e-4 beta1 0.5 for both sides, weights drawn after reseeding.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown tag GAN {kind!r}; choose one of {', '.join(KINDS)}")
    cond_dim = X.condition_dim(encoding)
    T.set_seed(seed)
    if kind == "cgan":
        generator, discriminator = X.dcgan_pair(profile, cond_dim=cond_dim, latent_dim=LATENT_DIM)
        gan = T.GAN(generator, discriminator, latent_dim=LATENT_DIM, cond_dim=cond_dim, seed=seed, name="cgan")
    else:
        generator = M.build_dcgan_generator(LATENT_DIM, profile.image_size, profile.dcgan_filters, cond_dim=cond_dim)
        discriminator = M.build_dcgan_discriminator(profile.image_size, profile.dcgan_filters, n_classes=cond_dim)
        groups = (N_HAIR, N_EYE) if encoding == "separate" else None
        gan = T.ACGAN(generator, discriminator, LATENT_DIM, cond_dim, label_kind="categorical", groups=groups,
                      fake_aux_weight=0.0, seed=seed, name="tag_acgan")
    gan.compile(X.adam(), X.adam(), loss="nonsaturating")
    return gan


# -- a second opinion: the animeface detector's colour reading --------------------------------


def nearest_colour(rgb, palette: np.ndarray) -> int:
    """Index of the palette row (RGB) closest to ``rgb``."""
    return int(np.argmin(((np.asarray(palette, dtype=float) - np.asarray(rgb, dtype=float)) ** 2).sum(axis=1)))


def animeface_agreement(images, hair, eye, value_range=(-1.0, 1.0)) -> dict:
    """How often ``animeface`` finds a face, and how often its colour readings name the given hair and eye ids.

    Colours are named by the closest entry of the synthetic renderer's palette; each found
    face counts its hair once and each of its two eyes once. NaN when no face is found.
    """
    from genlab.evaluation import animeface_colors
    from genlab.synthetic.anime import EYE_PALETTE, HAIR_PALETTE

    hair_rgb = np.array([HAIR_PALETTE[c] for c in HAIR_COLORS])
    eye_rgb = np.array([EYE_PALETTE[c] for c in EYE_COLORS])
    found = [(f, h, e) for f, h, e in zip(animeface_colors(images, value_range=value_range), hair, eye) if f]
    hair_ok = [nearest_colour(f["hair"], hair_rgb) == h for f, h, _ in found]
    eye_ok = [nearest_colour(f[side], eye_rgb) == e for f, _, e in found for side in ("left_eye", "right_eye")]
    return {"animeface_found": len(found) / max(1, len(images)),
            "animeface_hair": float(np.mean(hair_ok)) if found else float("nan"),
            "animeface_eye": float(np.mean(eye_ok)) if found else float("nan")}
