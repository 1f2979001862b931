"""Network builders for every model of the two reports; see each module's table for sources and parameter counts."""
from __future__ import annotations

from genlab.nets.blocks import AUX_HEAD_NAME, LATENT_DIM, count_params
from genlab.nets.dcgan import (
    build_dcgan_discriminator,
    build_dcgan_generator,
    build_infogan_discriminator,
    build_infogan_generator,
    build_mlp_discriminator,
    build_mlp_generator,
)
from genlab.nets.report import (
    VAENetworks,
    build_acgan_discriminator,
    build_acgan_generator,
    build_report_gan_discriminator,
    build_report_gan_generator,
    build_vae,
)
from genlab.nets.stargan import build_stargan_discriminator, build_stargan_generator

__all__ = [
    "AUX_HEAD_NAME", "LATENT_DIM", "VAENetworks", "build_acgan_discriminator", "build_acgan_generator", "build_dcgan_discriminator",
    "build_dcgan_generator", "build_infogan_discriminator", "build_infogan_generator", "build_mlp_discriminator",
    "build_mlp_generator", "build_report_gan_discriminator", "build_report_gan_generator", "build_stargan_discriminator",
    "build_stargan_generator", "build_vae", "count_params",
]
