"""The GAN trainer: one ``train_step`` for DCGAN, WGAN, WGAN-GP, LSGAN and conditional GANs."""
from __future__ import annotations

import keras
import tensorflow as tf

from genlab.train import losses
from genlab.train.augment import augment
from genlab.train.augment import check as check_augmentations
from genlab.train.base import AdversarialTrainer, as_float32, replicas


class GAN(AdversarialTrainer):
    """An (optionally conditional) GAN with pluggable adversarial losses.

    ``generator`` maps ``z`` (or ``[z, c]`` when ``cond_dim > 0``) to images; ``discriminator``
    maps images (or ``[x, c]``) to logits. Batches are ``images`` or ``(images, c)``.
    With ``n_critic > 1`` each batch holds ``n_critic`` critic batches: every critic update
    sees fresh real images, and one ``fit()`` step is one generator update.
    """

    def __init__(self, generator, discriminator, latent_dim: int, cond_dim: int = 0, seed: int = 0, name="gan"):
        super().__init__(generator, discriminator, seed=seed, name=name)
        self.latent_dim = latent_dim
        self.cond_dim = cond_dim

    def compile(
        self,
        d_optimizer,
        g_optimizer,
        loss: str = "nonsaturating",
        n_critic: int = 1,
        clip_value: float | None = None,
        gp_weight: float | None = None,
        label_smoothing: float = 0.0,
        label_noise: float = 0.0,
        instance_noise: float = 0.0,
        mixed_batches: bool = False,
        augment: str = "",
        r1_weight: float = 0.0,
        ema_decay: float | None = None,
        ema_statistics: str = "average",
        **kwargs,
    ):
        """Set optimizers, the adversarial loss and training tricks.

        - ``clip_value``: WGAN weight clipping of the critic to [-c, c] after each update.
        - ``gp_weight``: gradient-penalty weight (default 10 for ``wgan-gp``, else 0).
        - ``label_smoothing``: one-sided, real targets become ``1 - label_smoothing``.
        - ``label_noise``: probability of flipping each real/fake target.
        - ``instance_noise``: std of Gaussian noise added to every discriminator input.
        - ``mixed_batches``: one discriminator call on real+fake (default: separate batches,
          the ganhacks tip, so BatchNorm statistics never mix real and fake).
        - ``augment``: differentiable augmentations of every D input, e.g. "color,translation,cutout"
          (DiffAugment, Zhao et al. 2020).
        - ``r1_weight``: gamma of the R1 penalty gamma/2 E||grad D(real)||^2 (Mescheder et al. 2018).
        - ``ema_decay``: keep a moving average of the generator (see ``average_generator``),
          ``ema_statistics`` says what happens to its BatchNorm statistics.
        """
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.adversarial = losses.get_adversarial_loss(loss)
        self.n_critic = int(n_critic)
        self.clip_value = clip_value
        self.gp_weight = float(gp_weight if gp_weight is not None else (10.0 if loss == "wgan-gp" else 0.0))
        self.label_smoothing = float(label_smoothing)
        self.label_noise = float(label_noise)
        self.instance_noise = float(instance_noise)
        self.mixed_batches = bool(mixed_batches)
        self.augmentations = check_augmentations(augment)
        self.r1_weight = float(r1_weight)
        self._make_trackers(self._metric_names())
        self.build_optimizer_state()
        self.average_generator(ema_decay, ema_statistics)

    def _metric_names(self):
        names = ["d_loss", "g_loss"]
        if self.adversarial.wasserstein:
            names.append("w_distance")
        else:
            names += ["d_real_acc", "d_fake_acc"]
        if self.gp_weight:
            names.append("gp")
        if self.r1_weight:
            names.append("r1")
        return names

    # -- sampling -------------------------------------------------------------------------
    def sample_latent(self, batch_size, real=None):
        """Draw generator noise z ~ N(0, I); override to change the prior."""
        return self.draw(lambda n: keras.random.normal((n, self.latent_dim), seed=self.seed_generator), batch_size)

    def generate(self, z, c=None, training=False):
        inputs = z if not self.cond_dim else [z, c]
        return self.generator(inputs, training=training)

    # -- the discriminator ----------------------------------------------------------------
    def discriminator_inputs(self, x, c):
        """What the discriminator is called on: the image, and the condition when D judges it too."""
        return x if not self.cond_dim else [x, c]

    def _d(self, x, c, training=True):
        if self.augmentations:
            x = augment(x, self, self.augmentations)
        if self.instance_noise:
            x = x + self.instance_noise * tf.cast(self.normal_like(x), x.dtype)
        return self.discriminator(self.discriminator_inputs(x, c), training=training)

    def _d_pair(self, real, fake, c_real, c_fake):
        """Discriminator outputs on real and fake, as separate or mixed batches."""
        if not self.mixed_batches:
            return self._d(real, c_real), self._d(fake, c_fake)
        n = tf.shape(real)[0]
        c = None if not self.cond_dim else tf.concat([c_real, c_fake], 0)
        out = self._d(tf.concat([real, tf.cast(fake, real.dtype)], 0), c)
        split = lambda t: (t[:n], t[n:])
        if isinstance(out, (list, tuple)):
            pairs = [split(t) for t in out]
            return [p[0] for p in pairs], [p[1] for p in pairs]
        return split(out)

    def _targets(self, logits, real: bool):
        if not (self.label_smoothing or self.label_noise):
            return None
        target = tf.ones_like(logits) if real else tf.zeros_like(logits)
        if self.label_noise:
            flip = self.draw(lambda n: keras.random.uniform((n, 1), seed=self.seed_generator), tf.shape(logits)[0]) < self.label_noise
            target = tf.where(flip, 1.0 - target, target)
        if real and self.label_smoothing:
            target = target * (1.0 - self.label_smoothing)
        return target

    def _adversarial_d_loss(self, real_logits, fake_logits):
        real_logits, fake_logits = as_float32(real_logits), as_float32(fake_logits)
        return self.adversarial.discriminator(
            real_logits, fake_logits, self._targets(real_logits, True), self._targets(fake_logits, False)
        )

    def _accuracy(self, real_logits, fake_logits):
        threshold = self.adversarial.decision_threshold
        real_acc = tf.reduce_mean(tf.cast(as_float32(real_logits) > threshold, tf.float32))
        fake_acc = tf.reduce_mean(tf.cast(as_float32(fake_logits) <= threshold, tf.float32))
        return {"d_real_acc": real_acc, "d_fake_acc": fake_acc}

    def _penalty(self, real, fake, c):
        ones = [1] * (len(real.shape) - 1)
        alpha = self.draw(lambda n: keras.random.uniform([n] + ones, seed=self.seed_generator), tf.shape(real)[0])
        alpha = tf.cast(alpha, real.dtype)
        critic = lambda x: self._first(self._d(x, c))
        return losses.gradient_penalty(critic, real, tf.cast(fake, real.dtype), alpha)

    @staticmethod
    def _first(out):
        return out[0] if isinstance(out, (list, tuple)) else out

    def _clip_critic(self):
        if self.clip_value:
            for var in self.discriminator.trainable_variables:
                var.assign(tf.clip_by_value(var, -self.clip_value, self.clip_value))

    # -- one training step ----------------------------------------------------------------
    def _split(self, data):
        if isinstance(data, (tuple, list)):
            real, c = data[0], data[1]
        else:
            real, c = data, None
        if self.cond_dim and c is None:
            raise ValueError("a conditional GAN needs (images, conditions) batches")
        reals = tf.split(real, self.n_critic)
        conds = tf.split(tf.cast(c, tf.float32), self.n_critic) if c is not None else [None] * self.n_critic
        return reals, conds

    def _fake_condition(self, c):
        return c

    def discriminator_step(self, real, c):
        batch = tf.shape(real)[0]
        z = self.sample_latent(batch, real)
        c_fake = self._fake_condition(c)
        fake = self.generate(z, c_fake, training=True)
        with tf.GradientTape() as tape:
            real_out, fake_out = self._d_pair(real, fake, c, c_fake)
            d_loss = self._adversarial_d_loss(self._first(real_out), self._first(fake_out))
            d_loss += self.extra_d_loss(real_out, fake_out, c, c_fake)
            logs = {"d_loss": d_loss}
            if self.gp_weight:
                gp = self._penalty(real, fake, c)
                logs["gp"] = gp
                d_loss += self.gp_weight * gp
            if self.r1_weight:
                r1 = losses.r1_penalty(lambda x: self._first(self._d(x, c)), real)
                logs["r1"] = r1
                d_loss += 0.5 * self.r1_weight * r1
            scaled = d_loss / replicas()
        variables = self.discriminator.trainable_variables
        grads = tape.gradient(scaled, variables)
        # Heads outside the adversarial loss (InfoGAN's Q) get no gradient here.
        self.d_optimizer.apply_gradients([(g, v) for g, v in zip(grads, variables) if g is not None])
        self._clip_critic()
        real_logits, fake_logits = self._first(real_out), self._first(fake_out)
        if self.adversarial.wasserstein:
            logs["w_distance"] = tf.reduce_mean(as_float32(real_logits)) - tf.reduce_mean(as_float32(fake_logits))
        else:
            logs.update(self._accuracy(real_logits, fake_logits))
        logs.update(self.extra_d_logs(real_out, fake_out, c, c_fake))
        return logs

    def generator_step(self, batch, c, real=None):
        z = self.sample_latent(batch, real)
        c_fake = self._fake_condition(c)
        with tf.GradientTape() as tape:
            fake = self.generate(z, c_fake, training=True)
            fake_out = self._d(fake, c_fake)
            g_loss = self.adversarial.generator(as_float32(self._first(fake_out)))
            g_loss += self.extra_g_loss(fake_out, z, c_fake)
            scaled = g_loss / replicas()
        grads = tape.gradient(scaled, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        return {"g_loss": g_loss}

    def train_step(self, data):
        reals, conds = self._split(data)
        for real, c in zip(reals, conds):
            logs = self.discriminator_step(real, c)
        logs.update(self.generator_step(tf.shape(reals[-1])[0], conds[-1], reals[-1]))
        self.update_average()
        return self._update(logs)

    # -- hooks for ACGAN / InfoGAN ----------------------------------------------------------
    def extra_d_loss(self, real_out, fake_out, c_real, c_fake):
        return 0.0

    def extra_g_loss(self, fake_out, z, c_fake):
        return 0.0

    def extra_d_logs(self, real_out, fake_out, c_real, c_fake):
        return {}
