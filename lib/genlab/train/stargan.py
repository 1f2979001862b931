"""The StarGAN trainer (Choi et al. 2018) and the paper's test-time target domains."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from genlab.train import losses
from genlab.train.base import AdversarialTrainer, as_float32, replicas
from genlab.vocab import HAIR_GROUP, STARGAN_DOMAINS


class StarGAN(AdversarialTrainer):
    """StarGAN: one generator translating images to target domains, a PatchGAN critic.

    ``generator([x, c])`` translates ``x`` to domains ``c`` (a 0/1 vector); the
    ``discriminator`` returns ``[patch_logits, domain_logits]``. Losses follow the paper:
    WGAN-GP adversarial, domain classification (binary cross-entropy per domain), and L1
    cycle reconstruction. Each batch ``(images, labels)`` holds ``n_critic`` critic batches;
    the generator is updated once per step, on the last of them. Target domains are the
    batch's labels shuffled, as in the official implementation.
    """

    def __init__(self, generator, discriminator, n_domains: int, seed: int = 0, name="stargan"):
        super().__init__(generator, discriminator, seed=seed, name=name)
        self.n_domains = n_domains

    def compile(self, d_optimizer, g_optimizer, lambda_cls=1.0, lambda_rec=10.0, lambda_gp=10.0, n_critic=5,
                ema_decay: float | None = None, ema_statistics: str = "average", **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.lambda_cls, self.lambda_rec, self.lambda_gp = lambda_cls, lambda_rec, lambda_gp
        self.n_critic = int(n_critic)
        self._make_trackers(["d_loss", "d_adv", "d_cls", "gp", "d_cls_acc", "g_loss", "g_adv", "g_cls", "g_rec"])
        self.build_optimizer_state()
        self.average_generator(ema_decay, ema_statistics)

    def translate(self, x, c, training=False):
        """The raw generator's translation of ``x`` to domains ``c`` (what training uses)."""
        return self.generator([x, c], training=training)

    @staticmethod
    def _domain_loss(logits, labels):
        return tf.reduce_mean(
            tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=as_float32(logits)), axis=-1)
        )

    def _critic_step(self, x, c_org):
        c_trg = keras.random.shuffle(c_org, axis=0, seed=self.seed_generator)
        fake = self.translate(x, c_trg, training=True)
        alpha = self.draw(lambda n: keras.random.uniform((n, 1, 1, 1), seed=self.seed_generator), tf.shape(x)[0])
        with tf.GradientTape() as tape:
            src_real, cls_real = self.discriminator(x, training=True)
            src_fake, _ = self.discriminator(fake, training=True)
            d_adv = tf.reduce_mean(as_float32(src_fake)) - tf.reduce_mean(as_float32(src_real))
            d_cls = self._domain_loss(cls_real, c_org)
            gp = losses.gradient_penalty(lambda t: self.discriminator(t, training=True)[0], x, tf.cast(fake, x.dtype), tf.cast(alpha, x.dtype))
            d_loss = d_adv + self.lambda_cls * d_cls + self.lambda_gp * gp
            scaled = d_loss / replicas()
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        accuracy = tf.reduce_mean(tf.cast(tf.cast(as_float32(cls_real) > 0, tf.float32) == c_org, tf.float32))
        return {"d_loss": d_loss, "d_adv": d_adv, "d_cls": d_cls, "gp": gp, "d_cls_acc": accuracy}

    def _generator_step(self, x, c_org):
        c_trg = keras.random.shuffle(c_org, axis=0, seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fake = self.translate(x, c_trg, training=True)
            src_fake, cls_fake = self.discriminator(fake, training=True)
            g_adv = -tf.reduce_mean(as_float32(src_fake))
            g_cls = self._domain_loss(cls_fake, c_trg)
            reconstructed = self.translate(fake, c_org, training=True)
            g_rec = tf.reduce_mean(tf.abs(as_float32(reconstructed) - tf.cast(x, tf.float32)))
            g_loss = g_adv + self.lambda_cls * g_cls + self.lambda_rec * g_rec
            scaled = g_loss / replicas()
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
        self.update_average()
        return self._update(logs)


def stargan_targets(labels: np.ndarray, domains=STARGAN_DOMAINS, hair_group=HAIR_GROUP) -> list[np.ndarray]:
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
