"""Builders of compiled trainers at a profile's sizes: what the registry's runs are made of.

Each builder takes the profile, the seed (for the trainer's noise) and the run's
hyperparameters as the registry declares them; the caller reseeds first, so a model's initial
weights never depend on what was built before it. Optimizers are Keras configs, e.g.
``{"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}}``, made fresh per build.
"""
from __future__ import annotations

import copy

import keras

from genlab import nets
from genlab.data.tags import condition_dim, condition_groups
from genlab.nets import LATENT_DIM
from genlab.train import ACGAN, GAN, VAE, InfoGAN, StarGAN


def optimizer(config: dict):
    """A new Keras optimizer from its config (the registry's declaration is never mutated)."""
    return keras.optimizers.get(copy.deepcopy(config))


def dcgan_networks(profile, cond_dim: int = 0, critic: bool = False, spectral_norm: bool = False):
    """3-1's DCGAN generator and discriminator at the profile's size.

    ``critic``: LayerNorm in D in place of BatchNorm (WGAN-GP's critic); ``spectral_norm``: spectral
    normalization of D's layers in place of either."""
    generator = nets.build_dcgan_generator(LATENT_DIM, profile.image_size, profile.dcgan_filters, cond_dim=cond_dim)
    discriminator = nets.build_dcgan_discriminator(
        profile.image_size, profile.dcgan_filters, cond_dim=cond_dim, batch_norm=not critic and not spectral_norm,
        layer_norm=critic and not spectral_norm, spectral_norm=spectral_norm,
    )
    return generator, discriminator


def objective_gan(profile, seed: int, *, loss: str, d_optimizer: dict, g_optimizer: dict, critic: bool = False,
                  spectral_norm: bool = False, n_critic: int = 1, clip_value: float | None = None, name: str = "gan",
                  **tricks) -> GAN:
    """The 3-1 DCGAN trained with an adversarial objective (DCGAN, WGAN, WGAN-GP, LSGAN).

    ``tricks`` go to ``GAN.compile`` (label smoothing, instance noise...)."""
    generator, discriminator = dcgan_networks(profile, critic=critic, spectral_norm=spectral_norm)
    gan = GAN(generator, discriminator, latent_dim=LATENT_DIM, seed=seed, name=name)
    gan.compile(optimizer(d_optimizer), optimizer(g_optimizer), loss=loss, n_critic=n_critic, clip_value=clip_value,
                **tricks)
    return gan


def mlp_gan(profile, seed: int, *, d_optimizer: dict, g_optimizer: dict, label_smoothing: float = 0.0,
            label_noise: float = 0.0, instance_noise: float = 0.0) -> GAN:
    """The tips ablation's MLP GAN: the report's MLP generator, a small MLP discriminator."""
    generator = nets.build_mlp_generator(LATENT_DIM, image_size=profile.image_size)
    discriminator = nets.build_mlp_discriminator(image_size=profile.image_size)
    gan = GAN(generator, discriminator, latent_dim=LATENT_DIM, seed=seed, name="mlp_gan")
    gan.compile(optimizer(d_optimizer), optimizer(g_optimizer), loss="nonsaturating", label_smoothing=label_smoothing,
                label_noise=label_noise, instance_noise=instance_noise)
    return gan


def tag_gan(profile, seed: int, *, kind: str, encoding: str, d_optimizer: dict, g_optimizer: dict,
            fake_aux_weight: float = 0.0) -> GAN:
    """3-2's tag-conditional DCGAN: ``cgan`` (D also reads the tags) or ``acgan`` (D names them).

    Both put the condition at the generator's input. The ACGAN head learns from real faces
    only by default (``fake_aux_weight=0``), so the generator cannot agree with it on
    class-coded noise.
    """
    cond_dim = condition_dim(encoding)
    if kind == "cgan":
        generator, discriminator = dcgan_networks(profile, cond_dim=cond_dim)
        gan = GAN(generator, discriminator, latent_dim=LATENT_DIM, cond_dim=cond_dim, seed=seed, name="cgan")
    elif kind == "acgan":
        generator = nets.build_dcgan_generator(LATENT_DIM, profile.image_size, profile.dcgan_filters, cond_dim=cond_dim)
        discriminator = nets.build_dcgan_discriminator(profile.image_size, profile.dcgan_filters, n_classes=cond_dim)
        gan = ACGAN(generator, discriminator, LATENT_DIM, cond_dim, label_kind="categorical",
                    groups=condition_groups(encoding), fake_aux_weight=fake_aux_weight, seed=seed, name="tag_acgan")
    else:
        raise ValueError(f"unknown tag GAN {kind!r}; choose 'cgan' or 'acgan'")
    gan.compile(optimizer(d_optimizer), optimizer(g_optimizer), loss="nonsaturating")
    return gan


def report_gan(profile, seed: int, *, d_optimizer: dict, g_optimizer: dict, label_smoothing: float = 0.0,
               label_noise: float = 0.0) -> GAN:
    """The DLCV report's GAN at the profile's width."""
    generator = nets.build_report_gan_generator(width=profile.width, image_size=profile.image_size)
    discriminator = nets.build_report_gan_discriminator(width=profile.width, image_size=profile.image_size)
    gan = GAN(generator, discriminator, latent_dim=LATENT_DIM, seed=seed)
    gan.compile(optimizer(d_optimizer), optimizer(g_optimizer), loss="nonsaturating",
                label_smoothing=label_smoothing, label_noise=label_noise)
    return gan


def report_acgan(profile, seed: int, *, d_optimizer: dict, g_optimizer: dict, n_labels: int = 1,
                 fake_aux_weight: float = 1.0) -> ACGAN:
    """The DLCV report's ACGAN on binary labels (Smiling) at the profile's width."""
    generator = nets.build_acgan_generator(n_labels=n_labels, width=profile.width, image_size=profile.image_size)
    discriminator = nets.build_acgan_discriminator(n_classes=n_labels, width=profile.width, image_size=profile.image_size)
    acgan = ACGAN(generator, discriminator, latent_dim=LATENT_DIM, cond_dim=n_labels, label_kind="binary",
                  fake_aux_weight=fake_aux_weight, seed=seed)
    acgan.compile(optimizer(d_optimizer), optimizer(g_optimizer), loss="nonsaturating")
    return acgan


def infogan(profile, seed: int, *, latent_dim: int, n_categories: int, n_continuous: int, d_optimizer: dict,
            g_optimizer: dict, condition_stages: int = 0) -> InfoGAN:
    """InfoGAN on the DCGAN networks: a categorical and continuous code beside z."""
    generator = nets.build_infogan_generator(latent_dim, n_categories, n_continuous, profile.image_size,
                                             profile.dcgan_filters, condition_stages)
    discriminator = nets.build_infogan_discriminator(profile.image_size, profile.dcgan_filters, n_categories, n_continuous)
    model = InfoGAN(generator, discriminator, latent_dim, n_categories, n_continuous, seed=seed)
    model.compile(optimizer(d_optimizer), optimizer(g_optimizer), loss="nonsaturating")
    return model


def vae_latent_dim(profile) -> int:
    """The report's 1024-d latent at full width, scaled with the profile's width (at least 16)."""
    return max(16, round(1024 * profile.width))


def vae(profile, seed: int, *, kl_weight: float, optimizer_config: dict) -> VAE:
    """The DLCV report's VAE, its widths and latent scaled to the profile."""
    networks = nets.build_vae(latent_dim=vae_latent_dim(profile), image_size=profile.image_size, width=profile.width)
    model = VAE(networks.encoder, networks.decoder, kl_weight=kl_weight, seed=seed)
    model.compile(optimizer(optimizer_config))
    return model


def stargan(profile, seed: int, *, n_domains: int, d_optimizer: dict, g_optimizer: dict, lambda_cls: float,
            lambda_rec: float, lambda_gp: float, n_critic: int, attention_mask: bool = False) -> StarGAN:
    """StarGAN at the profile's StarGAN size, width and residual blocks (``attention_mask``: see the builder)."""
    generator = nets.build_stargan_generator(profile.stargan_image_size, n_domains, profile.stargan_conv_dim,
                                             profile.stargan_res_blocks, attention_mask)
    discriminator = nets.build_stargan_discriminator(profile.stargan_image_size, n_domains, profile.stargan_conv_dim)
    model = StarGAN(generator, discriminator, n_domains, seed=seed)
    model.compile(optimizer(d_optimizer), optimizer(g_optimizer), lambda_cls=lambda_cls, lambda_rec=lambda_rec,
                  lambda_gp=lambda_gp, n_critic=n_critic)
    return model
