"""GANs whose discriminator also reads a label: ACGAN (an auxiliary classifier) and InfoGAN (a code recovered by Q)."""
from __future__ import annotations

import keras
import tensorflow as tf

from genlab.train.base import as_float32, replicas
from genlab.train.gan import GAN


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

    def discriminator_inputs(self, x, c):
        return x  # the ACGAN discriminator sees only the image; the label is what it must predict

    def _metric_names(self):
        return super()._metric_names() + ["aux_loss", "aux_real_acc", "aux_fake_acc"]

    def _fake_condition(self, c):
        return keras.random.shuffle(c, axis=0, seed=self.seed_generator)

    def _aux_loss(self, class_logits, labels):
        class_logits = as_float32(class_logits)
        if self.label_kind == "binary":
            return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=class_logits))
        return tf.add_n([tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
                         for logits, y in zip(tf.split(class_logits, self.groups, axis=-1), tf.split(labels, self.groups, axis=-1))])

    def _aux_accuracy(self, class_logits, labels):
        class_logits = as_float32(class_logits)
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

    def discriminator_inputs(self, x, c):
        return x  # D judges the image alone; its Q head recovers the code

    def _info(self, q, code):
        q = as_float32(q)
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
            fake_logit, q = self._d(fake, None)
            g_loss = self.adversarial.generator(as_float32(fake_logit))
            info_loss, q_acc = self._info(q, code)
            g_total = (g_loss + self.info_weight * info_loss) / replicas()
            q_total = self.info_weight * info_loss / replicas()
        g_vars = self.generator.trainable_variables
        d_vars = self.discriminator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_total, g_vars), g_vars))
        q_grads = tape.gradient(q_total, d_vars)
        self.d_optimizer.apply_gradients([(g, v) for g, v in zip(q_grads, d_vars) if g is not None])
        del tape
        logs.update({"g_loss": g_loss, "info_loss": info_loss, "q_cat_acc": q_acc})
        self.update_average()
        return self._update(logs)
