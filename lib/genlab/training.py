"""Trainers (``keras.Model`` subclasses driven by ``fit()``) and the run driver.

A trainer's ``train_step`` is short: sample noise, one or more critic updates, one generator
update, update the metric trackers. Everything that makes a run robust lives outside it,
in :func:`train` and :mod:`genlab.callbacks`: fixed-step intervals, atomic checkpoints with
exact resume, the divergence guard, the metrics CSV and the sample snapshots.

Randomness inside ``train_step`` comes from the trainer's ``keras.random.SeedGenerator``, whose
state is a variable saved in every checkpoint, so a resumed run draws the same noise as an
uninterrupted one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from genlab import losses as L


def _replicas() -> float:
    return float(tf.distribute.get_strategy().num_replicas_in_sync)


def _as_float32(x):
    return tf.cast(x, tf.float32)


class _TrackedModel(keras.Model):
    """Adds named ``keras.metrics.Mean`` trackers and a seed generator to a Model."""

    metric_names: tuple[str, ...] = ()

    def __init__(self, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _make_trackers(self, names):
        self.metric_names = tuple(names)
        self._trackers = {name: keras.metrics.Mean(name=name) for name in names}

    @property
    def metrics(self):
        return list(getattr(self, "_trackers", {}).values())

    def _update(self, values: dict):
        for name, value in values.items():
            self._trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def optimizer_pairs(self):
        """(optimizer, variables) pairs, used to build optimizer state before a restore."""
        raise NotImplementedError

    def draw(self, sampler, batch_size):
        """``sampler(n)`` for this replica's share of a global batch.

        Under a distribution strategy every replica reads the same seed state; drawing the
        whole global batch and keeping this replica's slice gives each replica different
        noise, and exactly the noise a single device would have drawn.
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas == 1:
            return sampler(batch_size)
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        return sampler(batch_size * replicas)[replica * batch_size : (replica + 1) * batch_size]


class GAN(_TrackedModel):
    """An (optionally conditional) GAN with pluggable adversarial losses.

    ``generator`` maps ``z`` (or ``[z, c]`` when ``cond_dim > 0``) to images; ``discriminator``
    maps images (or ``[x, c]``) to logits. Batches are ``images`` or ``(images, c)``.
    With ``n_critic > 1`` each batch holds ``n_critic`` critic batches: every critic update
    sees fresh real images, and one ``fit()`` step is one generator update.
    """

    def __init__(self, generator, discriminator, latent_dim: int, cond_dim: int = 0, seed: int = 0, name="gan"):
        super().__init__(seed=seed, name=name)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.cond_dim = cond_dim
        self.built = True  # both networks are built functional models

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
        """
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.adversarial = L.get_adversarial_loss(loss)
        self.n_critic = int(n_critic)
        self.clip_value = clip_value
        self.gp_weight = float(gp_weight if gp_weight is not None else (10.0 if loss == "wgan-gp" else 0.0))
        self.label_smoothing = float(label_smoothing)
        self.label_noise = float(label_noise)
        self.instance_noise = float(instance_noise)
        self.mixed_batches = bool(mixed_batches)
        self._make_trackers(self._metric_names())
        # Build optimizer state for every variable now: some steps update only part of a
        # network (InfoGAN's Q head), and checkpoints need the full state to exist.
        for optimizer, variables in self.optimizer_pairs():
            if not optimizer.built:
                optimizer.build(variables)

    def _metric_names(self):
        names = ["d_loss", "g_loss"]
        if self.adversarial.wasserstein:
            names.append("w_distance")
        else:
            names += ["d_real_acc", "d_fake_acc"]
        if self.gp_weight:
            names.append("gp")
        return names

    def optimizer_pairs(self):
        return [
            (self.d_optimizer, self.discriminator.trainable_variables),
            (self.g_optimizer, self.generator.trainable_variables),
        ]

    # -- sampling -------------------------------------------------------------------------
    def sample_latent(self, batch_size, real=None):
        """Draw generator noise z ~ N(0, I); override to change the prior."""
        return self.draw(lambda n: keras.random.normal((n, self.latent_dim), seed=self.seed_generator), batch_size)

    def generate(self, z, c=None, training=False):
        inputs = z if not self.cond_dim else [z, c]
        return self.generator(inputs, training=training)

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    # -- discriminator helpers ------------------------------------------------------------
    def _d(self, x, c, training=True):
        if self.instance_noise:
            noise = self.draw(lambda n: keras.random.normal(tf.concat([[n], tf.shape(x)[1:]], 0), seed=self.seed_generator), tf.shape(x)[0])
            x = x + self.instance_noise * tf.cast(noise, x.dtype)
        out = self.discriminator(x if not self.cond_dim else [x, c], training=training)
        return out

    def _d_pair(self, real, fake, c_real, c_fake):
        """Discriminator outputs on real and fake, as separate or mixed batches."""
        if not self.mixed_batches:
            return self._d(real, c_real), self._d(fake, c_fake)
        n = tf.shape(real)[0]
        c = None if not self.cond_dim else tf.concat([c_real, c_fake], 0)
        out = self._d(tf.concat([real, tf.cast(fake, real.dtype)], 0), c)
        split = lambda t: (t[:n], t[n:])  # noqa: E731
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
        real_logits, fake_logits = _as_float32(real_logits), _as_float32(fake_logits)
        return self.adversarial.discriminator(
            real_logits, fake_logits, self._targets(real_logits, True), self._targets(fake_logits, False)
        )

    def _accuracy(self, real_logits, fake_logits):
        threshold = 0.5 if self.adversarial.name == "lsgan" else 0.0
        real_acc = tf.reduce_mean(tf.cast(_as_float32(real_logits) > threshold, tf.float32))
        fake_acc = tf.reduce_mean(tf.cast(_as_float32(fake_logits) <= threshold, tf.float32))
        return {"d_real_acc": real_acc, "d_fake_acc": fake_acc}

    def _penalty(self, real, fake, c):
        ones = [1] * (len(real.shape) - 1)
        alpha = self.draw(lambda n: keras.random.uniform([n] + ones, seed=self.seed_generator), tf.shape(real)[0])
        alpha = tf.cast(alpha, real.dtype)
        critic = lambda x: self._first(self._d(x, c))  # noqa: E731
        return L.gradient_penalty(critic, real, tf.cast(fake, real.dtype), alpha)

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
            scaled = d_loss / _replicas()
        variables = self.discriminator.trainable_variables
        grads = tape.gradient(scaled, variables)
        # Heads outside the adversarial loss (InfoGAN's Q) get no gradient here.
        self.d_optimizer.apply_gradients([(g, v) for g, v in zip(grads, variables) if g is not None])
        self._clip_critic()
        real_logits, fake_logits = self._first(real_out), self._first(fake_out)
        if self.adversarial.wasserstein:
            logs["w_distance"] = tf.reduce_mean(_as_float32(real_logits)) - tf.reduce_mean(_as_float32(fake_logits))
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
            g_loss = self.adversarial.generator(_as_float32(self._first(fake_out)))
            g_loss += self.extra_g_loss(fake_out, z, c_fake)
            scaled = g_loss / _replicas()
        grads = tape.gradient(scaled, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        return {"g_loss": g_loss}

    def train_step(self, data):
        reals, conds = self._split(data)
        for real, c in zip(reals, conds):
            logs = self.discriminator_step(real, c)
        logs.update(self.generator_step(tf.shape(reals[-1])[0], conds[-1], reals[-1]))
        return self._update(logs)

    # -- hooks for ACGAN / InfoGAN ----------------------------------------------------------
    def extra_d_loss(self, real_out, fake_out, c_real, c_fake):
        return 0.0

    def extra_g_loss(self, fake_out, z, c_fake):
        return 0.0

    def extra_d_logs(self, real_out, fake_out, c_real, c_fake):
        return {}


class ACGAN(GAN):
    """Auxiliary-classifier GAN: D outputs ``[logit, class_logits]`` and also classifies.

    ``label_kind`` is ``"binary"`` (independent attributes, sigmoid) or ``"categorical"``
    (one-hot classes, softmax). A categorical label may be several one-hots side by side
    (``groups``, e.g. ``(12, 11)`` for hair then eye colour): each group gets its own softmax,
    their cross-entropies are summed, and the accuracy counts a sample right only when every
    group is. Fakes are conditioned on the batch's labels shuffled, so the label distribution
    of fakes matches the data.

    ``fake_aux_weight`` scales the classification loss D takes on fakes (Odena et al.: 1). At 0
    the auxiliary head learns from real images only, so the generator cannot meet it halfway
    with class-coded noise, which it otherwise does early in short runs.
    """

    def __init__(self, generator, discriminator, latent_dim, cond_dim, label_kind="binary", aux_weight=1.0, seed=0,
                 groups=None, fake_aux_weight=1.0, name="acgan"):
        super().__init__(generator, discriminator, latent_dim, cond_dim=cond_dim, seed=seed, name=name)
        if label_kind not in ("binary", "categorical"):
            raise ValueError("label_kind must be 'binary' or 'categorical'")
        groups = tuple(int(g) for g in groups) if groups else (cond_dim,)
        if label_kind == "categorical" and (sum(groups) != cond_dim or min(groups) < 2):
            raise ValueError(f"categorical groups {groups} must each hold >= 2 classes and sum to cond_dim {cond_dim}")
        if label_kind == "binary" and len(groups) > 1:
            raise ValueError("groups apply to categorical labels only")
        self.label_kind = label_kind
        self.aux_weight = aux_weight
        self.groups = groups
        self.fake_aux_weight = float(fake_aux_weight)

    def _d(self, x, c, training=True):
        # The ACGAN discriminator sees only the image; the label is what it must predict.
        if self.instance_noise:
            noise = self.draw(lambda n: keras.random.normal(tf.concat([[n], tf.shape(x)[1:]], 0), seed=self.seed_generator), tf.shape(x)[0])
            x = x + self.instance_noise * tf.cast(noise, x.dtype)
        return self.discriminator(x, training=training)

    def _metric_names(self):
        return super()._metric_names() + ["aux_loss", "aux_real_acc", "aux_fake_acc"]

    def _fake_condition(self, c):
        return keras.random.shuffle(c, axis=0, seed=self.seed_generator)

    def _aux_loss(self, class_logits, labels):
        class_logits = _as_float32(class_logits)
        if self.label_kind == "binary":
            return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=class_logits))
        return tf.add_n([tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
                         for logits, y in zip(tf.split(class_logits, self.groups, axis=-1), tf.split(labels, self.groups, axis=-1))])

    def _aux_accuracy(self, class_logits, labels):
        class_logits = _as_float32(class_logits)
        if self.label_kind == "binary":
            return tf.reduce_mean(tf.cast(tf.cast(class_logits > 0, tf.float32) == labels, tf.float32))
        hits = [tf.argmax(logits, -1) == tf.argmax(y, -1)
                for logits, y in zip(tf.split(class_logits, self.groups, axis=-1), tf.split(labels, self.groups, axis=-1))]
        return tf.reduce_mean(tf.cast(tf.reduce_all(tf.stack(hits, axis=-1), axis=-1), tf.float32))

    def extra_d_loss(self, real_out, fake_out, c_real, c_fake):
        return self.aux_weight * (self._aux_loss(real_out[1], c_real) + self.fake_aux_weight * self._aux_loss(fake_out[1], c_fake))

    def extra_g_loss(self, fake_out, z, c_fake):
        return self.aux_weight * self._aux_loss(fake_out[1], c_fake)

    def extra_d_logs(self, real_out, fake_out, c_real, c_fake):
        return {
            "aux_loss": self._aux_loss(real_out[1], c_real),
            "aux_real_acc": self._aux_accuracy(real_out[1], c_real),
            "aux_fake_acc": self._aux_accuracy(fake_out[1], c_fake),
        }


class InfoGAN(GAN):
    """InfoGAN: G takes ``[z, code]``; D outputs ``[logit, q]`` and Q recovers the code.

    The code is a one-hot categorical of ``n_categories`` plus ``n_continuous`` uniform(-1, 1)
    values; the mutual-information term is the categorical cross-entropy plus
    ``continuous_weight`` times the squared error of the continuous part (a fixed-variance
    Gaussian Q). Batches carry only images.
    """

    def __init__(self, generator, discriminator, latent_dim, n_categories=10, n_continuous=2, info_weight=1.0, continuous_weight=0.5, seed=0, name="infogan"):
        super().__init__(generator, discriminator, latent_dim, cond_dim=n_categories + n_continuous, seed=seed, name=name)
        self.n_categories = n_categories
        self.n_continuous = n_continuous
        self.info_weight = info_weight
        self.continuous_weight = continuous_weight

    def _metric_names(self):
        return super()._metric_names() + ["info_loss", "q_cat_acc"]

    def sample_code(self, batch_size):
        index = self.draw(lambda n: keras.random.randint((n,), 0, self.n_categories, seed=self.seed_generator), batch_size)
        categorical = tf.one_hot(index, self.n_categories)
        continuous = self.draw(lambda n: keras.random.uniform((n, self.n_continuous), -1.0, 1.0, seed=self.seed_generator), batch_size)
        return tf.concat([categorical, continuous], axis=-1)

    def _split(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        reals = tf.split(real, self.n_critic)
        return reals, [None] * self.n_critic

    def _fake_condition(self, c):
        return None

    def generate(self, z, c=None, training=False):
        if c is None:
            c = self.sample_code(tf.shape(z)[0])
        return self.generator([z, c], training=training)

    def _d(self, x, c, training=True):
        return self.discriminator(x, training=training)

    def _info(self, q, code):
        q = _as_float32(q)
        cat_loss = tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits(labels=code[:, : self.n_categories], logits=q[:, : self.n_categories])
        )
        cont_loss = tf.reduce_mean(tf.square(q[:, self.n_categories :] - code[:, self.n_categories :])) if self.n_continuous else 0.0
        accuracy = tf.reduce_mean(
            tf.cast(tf.argmax(q[:, : self.n_categories], -1) == tf.argmax(code[:, : self.n_categories], -1), tf.float32)
        )
        return cat_loss + self.continuous_weight * cont_loss, accuracy

    def train_step(self, data):
        reals, _ = self._split(data)
        for real in reals:
            logs = self.discriminator_step(real, None)
        batch = tf.shape(reals[-1])[0]
        z = self.sample_latent(batch)
        code = self.sample_code(batch)
        with tf.GradientTape(persistent=True) as tape:
            fake = self.generator([z, code], training=True)
            fake_logit, q = self.discriminator(fake, training=True)
            g_loss = self.adversarial.generator(_as_float32(fake_logit))
            info_loss, q_acc = self._info(q, code)
            g_total = (g_loss + self.info_weight * info_loss) / _replicas()
            q_total = self.info_weight * info_loss / _replicas()
        g_vars = self.generator.trainable_variables
        d_vars = self.discriminator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_total, g_vars), g_vars))
        q_grads = tape.gradient(q_total, d_vars)
        self.d_optimizer.apply_gradients([(g, v) for g, v in zip(q_grads, d_vars) if g is not None])
        del tape
        logs.update({"g_loss": g_loss, "info_loss": info_loss, "q_cat_acc": q_acc})
        return self._update(logs)


class VAE(_TrackedModel):
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

    def optimizer_pairs(self):
        return [(self.optimizer, self.trainable_variables)]

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
        z_mean, z_log_var = _as_float32(z_mean), _as_float32(z_log_var)
        recon = _as_float32(self.decoder(self.reparameterize(z_mean, z_log_var), training=training))
        recon_mse = tf.reduce_mean(tf.square(recon - tf.cast(x, tf.float32)))
        kl = tf.reduce_mean(L.kl_divergence(z_mean, z_log_var))
        return recon_mse + self.kl_weight * kl, recon_mse, kl

    def train_step(self, data):
        with tf.GradientTape() as tape:
            loss, recon_mse, kl = self._vae_losses(data, training=True)
            scaled = loss / _replicas()
        grads = tape.gradient(scaled, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return self._update({"loss": loss, "recon_mse": recon_mse, "kl": kl})

    def test_step(self, data):
        loss, recon_mse, kl = self._vae_losses(data, training=False)
        return self._update({"loss": loss, "recon_mse": recon_mse, "kl": kl})

    def sample(self, n: int, seed: int = 0):
        z = keras.random.normal((n, self.latent_dim), seed=seed)
        return self.decoder(z, training=False)


# ----------------------------------------------------------------------------------------
# The run driver
# ----------------------------------------------------------------------------------------


@dataclass
class TrainResult:
    """What a call to :func:`train` produced."""

    history: pd.DataFrame
    run_dir: Path
    steps: int
    resumed_from: int = 0
    diverged: dict | None = None
    seconds: float = 0.0
    images_per_second: float = float("nan")
    snapshots: dict = field(default_factory=dict)


def headless() -> bool:
    """True when running without a person watching (``make figures``, CI)."""
    return os.environ.get("GENLAB_HEADLESS", "") not in ("", "0") or os.environ.get("CI", "") == "true"


def train(
    model: _TrackedModel,
    dataset: tf.data.Dataset,
    steps: int,
    run_dir,
    log_every: int = 50,
    checkpoint_every: int | None = None,
    callbacks=(),
    divergence_bound: float = 1e4,
    watch: tuple[str, ...] | None = None,
    resume: bool = True,
    tensorboard: bool = True,
    verbose=None,
) -> TrainResult:
    """Train ``model`` for ``steps`` steps, resuming from ``run_dir`` if a checkpoint is there.

    ``dataset`` must yield batches in a deterministic order (seeded shuffle); it is repeated
    and, on resume, the batches already consumed are skipped, so an interrupted run continues
    exactly where it stopped. Metrics are averaged over ``log_every``-step intervals (one
    ``fit()`` epoch each) into ``run_dir/history.csv``; checkpoints are written atomically
    every ``checkpoint_every`` steps (default: 4 intervals) and at the end.
    """
    from genlab import callbacks as C
    from genlab import paths

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    log_every = max(1, min(int(log_every), int(steps)))
    if steps % log_every:
        raise ValueError(f"steps ({steps}) must be a multiple of log_every ({log_every})")
    checkpoint_every = checkpoint_every or 4 * log_every
    if checkpoint_every % log_every:
        raise ValueError(f"checkpoint_every ({checkpoint_every}) must be a multiple of log_every ({log_every})")

    # Two notebooks may share a run (the WGAN comparison reuses 3-1's DCGAN); with notebooks
    # side by side the second waits here for the first and then resumes at its last step.
    with paths.exclusive(run_dir):
        store = C.CheckpointStore(run_dir / "checkpoints")
        start = 0
        if resume:
            start = store.restore_latest(model)
        else:
            store.clear()
        guard = C.DivergenceGuard(bound=divergence_bound, watch=watch)
        history_log = C.HistoryCSV(run_dir / "history.csv", resume_step=start, guard=guard)
        result = TrainResult(history=history_log.frame(), run_dir=run_dir, steps=start, resumed_from=start)
        if start >= steps:
            print(f"{run_dir.name}: already trained, loaded its checkpoint at step {start}")
            result.snapshots = C.load_snapshots(run_dir)
            return result
        if start:
            print(f"{run_dir.name}: resuming from its checkpoint at step {start} of {steps}")

        saver = C.PeriodicCheckpoint(store, every=checkpoint_every, total=steps, guard=guard)
        batch_shape = dataset.element_spec[0].shape if isinstance(dataset.element_spec, tuple) else dataset.element_spec.shape
        timer = C.Throughput(images_per_step=batch_shape[0])
        all_callbacks = [timer, guard, history_log, *callbacks, saver]
        if tensorboard:
            all_callbacks.append(keras.callbacks.TensorBoard(log_dir=str(run_dir / "tensorboard"), write_graph=False))
        for cb in all_callbacks:
            if isinstance(cb, C.StepCallback):
                cb.steps_per_epoch = log_every

        batches = dataset.repeat().skip(start) if start else dataset.repeat()
        if verbose is None:
            verbose = 2 if headless() else 1
        model.fit(
            batches,
            epochs=steps // log_every,
            initial_epoch=start // log_every,
            steps_per_epoch=log_every,
            callbacks=all_callbacks,
            verbose=verbose,
            shuffle=False,
        )
        if guard.event is not None:
            result.diverged = guard.event
            restored = store.restore_latest(model)
            print(
                f"Training diverged at step {guard.event['step']} ({guard.event['reason']}); "
                + (f"weights restored from the last good checkpoint (step {restored})." if restored else "no checkpoint to restore.")
            )
        result.history = history_log.frame()
        result.steps = guard.event["step"] if guard.event else steps
        result.seconds = timer.seconds
        result.images_per_second = timer.images_per_second
        result.snapshots = C.load_snapshots(run_dir)
        return result


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow (initial weights, dropout) in one call."""
    keras.utils.set_random_seed(int(seed))


def fixed_latent(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """A fixed batch of z ~ N(0, I) for sample grids that stay comparable across steps."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")


# ----------------------------------------------------------------------------------------
# StarGAN (Choi et al. 2018)
# ----------------------------------------------------------------------------------------


class StarGAN(_TrackedModel):
    """StarGAN: one generator translating images to target domains, a PatchGAN critic.

    ``generator([x, c])`` translates ``x`` to domains ``c`` (a 0/1 vector); the
    ``discriminator`` returns ``[patch_logits, domain_logits]``. Losses follow the paper:
    WGAN-GP adversarial, domain classification (binary cross-entropy per domain), and L1
    cycle reconstruction. Each batch ``(images, labels)`` holds ``n_critic`` critic batches;
    the generator is updated once per step, on the last of them. Target domains are the
    batch's labels shuffled, as in the official implementation.
    """

    def __init__(self, generator, discriminator, n_domains: int, seed: int = 0, name="stargan"):
        super().__init__(seed=seed, name=name)
        self.generator = generator
        self.discriminator = discriminator
        self.n_domains = n_domains
        self.built = True

    def compile(self, d_optimizer, g_optimizer, lambda_cls=1.0, lambda_rec=10.0, lambda_gp=10.0, n_critic=5, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.lambda_cls, self.lambda_rec, self.lambda_gp = lambda_cls, lambda_rec, lambda_gp
        self.n_critic = int(n_critic)
        self._make_trackers(["d_loss", "d_adv", "d_cls", "gp", "d_cls_acc", "g_loss", "g_adv", "g_cls", "g_rec"])
        for optimizer, variables in self.optimizer_pairs():
            if not optimizer.built:
                optimizer.build(variables)

    def optimizer_pairs(self):
        return [
            (self.d_optimizer, self.discriminator.trainable_variables),
            (self.g_optimizer, self.generator.trainable_variables),
        ]

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def translate(self, x, c, training=False):
        return self.generator([x, c], training=training)

    @staticmethod
    def _domain_loss(logits, labels):
        return tf.reduce_mean(
            tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=_as_float32(logits)), axis=-1)
        )

    def _critic_step(self, x, c_org):
        c_trg = keras.random.shuffle(c_org, axis=0, seed=self.seed_generator)
        fake = self.translate(x, c_trg, training=True)
        alpha = self.draw(lambda n: keras.random.uniform((n, 1, 1, 1), seed=self.seed_generator), tf.shape(x)[0])
        with tf.GradientTape() as tape:
            src_real, cls_real = self.discriminator(x, training=True)
            src_fake, _ = self.discriminator(fake, training=True)
            d_adv = tf.reduce_mean(_as_float32(src_fake)) - tf.reduce_mean(_as_float32(src_real))
            d_cls = self._domain_loss(cls_real, c_org)
            gp = L.gradient_penalty(lambda t: self.discriminator(t, training=True)[0], x, tf.cast(fake, x.dtype), tf.cast(alpha, x.dtype))
            d_loss = d_adv + self.lambda_cls * d_cls + self.lambda_gp * gp
            scaled = d_loss / _replicas()
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        accuracy = tf.reduce_mean(tf.cast(tf.cast(_as_float32(cls_real) > 0, tf.float32) == c_org, tf.float32))
        return {"d_loss": d_loss, "d_adv": d_adv, "d_cls": d_cls, "gp": gp, "d_cls_acc": accuracy}

    def _generator_step(self, x, c_org):
        c_trg = keras.random.shuffle(c_org, axis=0, seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fake = self.translate(x, c_trg, training=True)
            src_fake, cls_fake = self.discriminator(fake, training=True)
            g_adv = -tf.reduce_mean(_as_float32(src_fake))
            g_cls = self._domain_loss(cls_fake, c_trg)
            reconstructed = self.translate(fake, c_org, training=True)
            g_rec = tf.reduce_mean(tf.abs(_as_float32(reconstructed) - tf.cast(x, tf.float32)))
            g_loss = g_adv + self.lambda_cls * g_cls + self.lambda_rec * g_rec
            scaled = g_loss / _replicas()
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return {"g_loss": g_loss, "g_adv": g_adv, "g_cls": g_cls, "g_rec": g_rec}

    def train_step(self, data):
        images, labels = data
        xs = tf.split(images, self.n_critic)
        cs = tf.split(tf.cast(labels, tf.float32), self.n_critic)
        for x, c in zip(xs, cs):
            logs = self._critic_step(x, c)
        logs.update(self._generator_step(xs[-1], cs[-1]))
        return self._update(logs)


def stargan_targets(labels: np.ndarray, domains, hair_group=("Black_Hair", "Blond_Hair", "Brown_Hair")) -> list[np.ndarray]:
    """One target-label array per domain, as the StarGAN paper's test translations.

    For a hair domain the hair group becomes one-hot on it; any other domain (Male, Young) is
    flipped. ``labels`` is (N, len(domains)) with 0/1 values.
    """
    labels = np.asarray(labels, dtype="float32")
    domains = list(domains)
    hair = [domains.index(h) for h in hair_group if h in domains]
    targets = []
    for i, name in enumerate(domains):
        target = labels.copy()
        if i in hair:
            target[:, hair] = 0.0
            target[:, i] = 1.0
        else:
            target[:, i] = 1.0 - target[:, i]
        targets.append(target)
    return targets
