"""Adversarial losses on discriminator logits.

Each loss is a pair of functions ``discriminator(real, fake) -> scalar`` and
``generator(fake) -> scalar`` taking raw discriminator outputs (logits, no sigmoid).
``real_target`` lets the GAN trainer apply one-sided label smoothing and noisy labels.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tensorflow as tf


def _bce_with_logits(targets, logits):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))


@dataclass(frozen=True)
class AdversarialLoss:
    """A named generator/discriminator loss pair.

    ``wasserstein`` marks critics whose output difference estimates a Wasserstein distance;
    ``decision_threshold`` is the output above which D calls an image real (0 for logits,
    0.5 for least squares' 0/1 targets), from which its real/fake accuracy is counted.
    """

    name: str
    discriminator: Callable
    generator: Callable
    wasserstein: bool = False
    decision_threshold: float = 0.0


def _minimax_d(real, fake, real_target=None, fake_target=None):
    real_target = tf.ones_like(real) if real_target is None else real_target
    fake_target = tf.zeros_like(fake) if fake_target is None else fake_target
    return _bce_with_logits(real_target, real) + _bce_with_logits(fake_target, fake)


def _minimax_g(fake):
    # Goodfellow's original objective: minimise log(1 - D(G(z))) = -softplus(logit).
    return -tf.reduce_mean(tf.nn.softplus(fake))


def _nonsaturating_g(fake):
    return _bce_with_logits(tf.ones_like(fake), fake)


def _wasserstein_d(real, fake, real_target=None, fake_target=None):
    return tf.reduce_mean(fake) - tf.reduce_mean(real)


def _wasserstein_g(fake):
    return -tf.reduce_mean(fake)


def _least_squares_d(real, fake, real_target=None, fake_target=None):
    real_target = tf.ones_like(real) if real_target is None else real_target
    fake_target = tf.zeros_like(fake) if fake_target is None else fake_target
    return 0.5 * tf.reduce_mean(tf.square(real - real_target)) + 0.5 * tf.reduce_mean(
        tf.square(fake - fake_target)
    )


def _least_squares_g(fake):
    return 0.5 * tf.reduce_mean(tf.square(fake - 1.0))


def _hinge_d(real, fake, real_target=None, fake_target=None):
    return tf.reduce_mean(tf.nn.relu(1.0 - real)) + tf.reduce_mean(tf.nn.relu(1.0 + fake))


LOSSES: dict[str, AdversarialLoss] = {
    "minimax": AdversarialLoss("minimax", _minimax_d, _minimax_g),
    "nonsaturating": AdversarialLoss("nonsaturating", _minimax_d, _nonsaturating_g),
    "wgan": AdversarialLoss("wgan", _wasserstein_d, _wasserstein_g, wasserstein=True),
    "wgan-gp": AdversarialLoss("wgan-gp", _wasserstein_d, _wasserstein_g, wasserstein=True),
    "lsgan": AdversarialLoss("lsgan", _least_squares_d, _least_squares_g, decision_threshold=0.5),
    "hinge": AdversarialLoss("hinge", _hinge_d, _wasserstein_g),
}


def get_adversarial_loss(name: str | AdversarialLoss) -> AdversarialLoss:
    """Look up a loss by name: minimax, nonsaturating, wgan, wgan-gp, lsgan or hinge."""
    if isinstance(name, AdversarialLoss):
        return name
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown GAN loss {name!r}; choose one of {', '.join(LOSSES)}") from None


def gradient_penalty(critic: Callable, real, fake, alpha):
    """WGAN-GP penalty E[(||grad_x critic(x_hat)|| - 1)^2] on interpolates x_hat = real + alpha (fake - real).

    ``alpha`` holds one uniform [0, 1) draw per example, broadcastable to the images.
    """
    interpolated = real + alpha * (fake - real)
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        scores = tf.cast(critic(interpolated), tf.float32)
    grads = tf.cast(tape.gradient(scores, interpolated), tf.float32)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads))) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def r1_penalty(critic: Callable, real):
    """R1: E[||grad_x critic(x)||^2] on real images (Mescheder et al. 2018)."""
    with tf.GradientTape() as tape:
        tape.watch(real)
        scores = tf.cast(critic(real), tf.float32)
    grads = tf.cast(tape.gradient(scores, real), tf.float32)
    return tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads))))


def kl_divergence(z_mean, z_log_var):
    """KL(q(z|x) || N(0, I)) per example, summed over latent dimensions."""
    return -0.5 * tf.reduce_sum(1.0 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
