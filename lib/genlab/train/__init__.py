"""Training: the trainers (``keras.Model`` subclasses with a short ``train_step``) and the run driver.

Trainer families: :class:`GAN` (DCGAN, WGAN, WGAN-GP, LSGAN, conditional GANs), :class:`ACGAN`
and :class:`InfoGAN`, :class:`VAE`, :class:`StarGAN`. :func:`train` fits any of them with
checkpoints, exact resume, the divergence guard and sample snapshots.
"""
from __future__ import annotations

from genlab.train.conditional import ACGAN, InfoGAN
from genlab.train.driver import TrainResult, fixed_latent, set_seed, train
from genlab.train.gan import GAN
from genlab.train.inference import batched, generate
from genlab.train.stargan import StarGAN, stargan_targets
from genlab.train.vae import VAE

__all__ = [
           "ACGAN",
           "GAN",
           "VAE",
           "InfoGAN",
           "StarGAN",
           "TrainResult",
           "batched",
           "fixed_latent",
           "generate",
           "set_seed",
           "stargan_targets",
           "train",
]
