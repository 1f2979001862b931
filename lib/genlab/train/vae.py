"""The VAE trainer: reconstruction MSE plus a weighted KL term (the DLCV report's loss)."""
from __future__ import annotations

import keras
import tensorflow as tf

from genlab.train import losses
from genlab.train.base import Trainer, as_float32, replicas


class VAE(Trainer):
    """Variational autoencoder: reconstruction MSE plus ``kl_weight`` times the KL term.

    ``encoder`` maps images to ``[z_mean, z_log_var]``; ``decoder`` maps z to images in the
    same range as the inputs ([0, 1] with a sigmoid decoder). MSE is the mean over pixels,
    KL the sum over latent dimensions averaged over the batch (the report's weighting).
    """

    def __init__(self, encoder, decoder, kl_weight: float = 1e-4, seed: int = 0, name="vae"):
        super().__init__(seed=seed, name=name)
        self.encoder = encoder
        self.decoder = decoder
        self.kl_weight = kl_weight
        self.latent_dim = int(decoder.inputs[0].shape[-1])
        self.built = True
        self._make_trackers(["loss", "recon_mse", "kl"])

    def compile(self, optimizer, **kwargs):
        super().compile(optimizer=optimizer, **kwargs)
        self.build_optimizer_state()

    def optimizer_pairs(self):
        return [(self.optimizer, self.trainable_variables)]

    def checkpoint_objects(self) -> dict:
        return {"encoder": self.encoder, "decoder": self.decoder, "optimizer": self.optimizer,
                "seed": self.seed_generator.state}

    @property
    def sampler(self):
        return self.decoder

    def encode(self, x, training=False):
        z_mean, z_log_var = self.encoder(x, training=training)
        return z_mean, z_log_var

    def reparameterize(self, z_mean, z_log_var):
        latent = tf.shape(z_mean)[1]
        eps = self.draw(lambda n: keras.random.normal((n, latent), seed=self.seed_generator), tf.shape(z_mean)[0])
        eps = tf.cast(eps, z_mean.dtype)
        return z_mean + tf.exp(0.5 * z_log_var) * eps

    def call(self, x, training=False):
        z_mean, z_log_var = self.encode(x, training=training)
        z = self.reparameterize(z_mean, z_log_var) if training else z_mean
        return self.decoder(z, training=training)

    def _vae_losses(self, x, training):
        x = x[0] if isinstance(x, (tuple, list)) else x
        z_mean, z_log_var = self.encode(x, training=training)
        z_mean, z_log_var = as_float32(z_mean), as_float32(z_log_var)
        recon = as_float32(self.decoder(self.reparameterize(z_mean, z_log_var), training=training))
        recon_mse = tf.reduce_mean(tf.square(recon - tf.cast(x, tf.float32)))
        kl = tf.reduce_mean(losses.kl_divergence(z_mean, z_log_var))
        return recon_mse + self.kl_weight * kl, recon_mse, kl

    def train_step(self, data):
        with tf.GradientTape() as tape:
            loss, recon_mse, kl = self._vae_losses(data, training=True)
            scaled = loss / replicas()
        grads = tape.gradient(scaled, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return self._update({"loss": loss, "recon_mse": recon_mse, "kl": kl})
