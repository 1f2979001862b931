"""What every trainer shares: named metric trackers, a checkpointed seed generator, replica-aware noise.

A trainer is a ``keras.Model`` whose ``train_step`` is short; ``compile()`` takes its optimizers
and loss settings; :func:`genlab.train.driver.train` drives it with ``fit()``.

Randomness inside ``train_step`` comes from the trainer's ``keras.random.SeedGenerator``, whose
state is a variable saved in every checkpoint, so a resumed run draws the same noise as an
uninterrupted one.
"""
from __future__ import annotations

import keras
import tensorflow as tf


def replicas() -> float:
    """Replicas in the current distribution strategy (losses are divided by it before the gradient)."""
    return float(tf.distribute.get_strategy().num_replicas_in_sync)


def as_float32(x):
    return tf.cast(x, tf.float32)


class Trainer(keras.Model):
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

    def optimizer_pairs(self) -> list[tuple]:
        """(optimizer, variables) pairs; their state is built up front and checkpointed."""
        raise NotImplementedError

    def build_optimizer_state(self) -> None:
        """Create every optimizer's slots for every variable now: some steps update only part of a
        network (InfoGAN's Q head), and a checkpoint restore needs the full state to exist."""
        for optimizer, variables in self.optimizer_pairs():
            if not optimizer.built:
                optimizer.build(variables)

    def checkpoint_objects(self) -> dict:
        """The named objects a checkpoint holds: networks, optimizers and the seed state."""
        raise NotImplementedError

    @property
    def sampler(self) -> keras.Model:
        """The network that makes images from the run's inputs (a generator or decoder)."""
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

    def normal_like(self, x):
        """Standard normal noise of ``x``'s shape from the trainer's seed state (this replica's share)."""
        return self.draw(lambda n: keras.random.normal(tf.concat([[n], tf.shape(x)[1:]], 0), seed=self.seed_generator),
                         tf.shape(x)[0])


class AdversarialTrainer(Trainer):
    """A trainer of a ``generator`` against a ``discriminator``, each with its own optimizer (set in ``compile``).

    With :meth:`average_generator` the trainer also keeps a moving average of the generator's
    weights (:class:`~genlab.train.average.GeneratorAverage`); the average is what
    :attr:`sampler` returns and what every sample is drawn from, the raw generator stays
    available as :attr:`generator`.
    """

    def __init__(self, generator, discriminator, seed: int = 0, name=None):
        super().__init__(seed=seed, name=name)
        self.generator = generator
        self.discriminator = discriminator
        self.average = None
        self.built = True  # both networks are built functional models

    def average_generator(self, decay: float | None, statistics: str = "average") -> None:
        """Keep a moving average of the generator with ``decay`` (None or 0: no average)."""
        from genlab.train.average import GeneratorAverage

        self.average = GeneratorAverage(self.generator, decay, statistics) if decay else None

    def update_average(self) -> None:
        if self.average is not None:
            self.average.update(self.g_optimizer.iterations)

    def optimizer_pairs(self):
        return [
            (self.d_optimizer, self.discriminator.trainable_variables),
            (self.g_optimizer, self.generator.trainable_variables),
        ]

    def checkpoint_objects(self) -> dict:
        objects = {"generator": self.generator, "discriminator": self.discriminator, "d_optimizer": self.d_optimizer,
                   "g_optimizer": self.g_optimizer, "seed": self.seed_generator.state}
        if self.average is not None:
            objects["generator_average"] = self.average.network
        return objects

    @property
    def sampler(self):
        if self.average is None:
            return self.generator
        return self.average.sampling_network(int(self.g_optimizer.iterations.numpy()))  # .numpy(): a MirroredVariable has no __int__

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)
