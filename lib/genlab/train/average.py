"""An exponential moving average of a generator's weights, used for sampling (Yazici et al. 2019; Karras et al.).

A short GAN run's generator jitters from step to step (its whole palette shifts as D wins and
loses); the average of its recent weights draws clean faces long before the raw weights do.
The average is a second copy of the network, updated after every generator step, saved in every
checkpoint beside the raw weights, so an interrupted run resumes to the same average.

The decay follows TensorFlow's ``ExponentialMovingAverage(num_updates=...)`` warm-up,
``min(decay, (1 + t) / (10 + t))`` at generator step t, so the first steps' random weights do not
linger. BatchNorm's moving statistics are averaged like the weights (``statistics="average"``),
or copied from the raw generator (``"copy"``). Neither fits averaged weights exactly, so with
:meth:`GeneratorAverage.calibrate_with` samples come from a copy whose statistics are re-estimated
from its own activations (:func:`recalibrate_batchnorm`) whenever the average has moved.
"""
from __future__ import annotations

import keras
import tensorflow as tf

STATISTICS = ("average", "copy")


def decay_for(steps: int, half_life: float) -> float:
    """The decay whose half-life is ``half_life`` of a run of ``steps`` steps (e.g. 0.05: the last 5%)."""
    if not 0.0 < half_life <= 1.0:
        raise ValueError(f"half_life must be a share of the run in (0, 1], got {half_life}")
    return float(0.5 ** (1.0 / max(1.0, half_life * steps)))


class GeneratorAverage:
    """A moving average of ``generator``'s weights in a network of the same architecture (``self.network``)."""

    def __init__(self, generator: keras.Model, decay: float, statistics: str = "average"):
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"decay must be in [0, 1), got {decay}")
        if statistics not in STATISTICS:
            raise ValueError(f"statistics must be one of {', '.join(STATISTICS)}, got {statistics!r}")
        self.source = generator
        self.network = keras.models.clone_model(generator)
        self.network.set_weights(generator.get_weights())
        self.network.trainable = False
        self.decay = float(decay)
        self.statistics = statistics
        trainable = {id(v) for v in generator.trainable_weights}
        self._pairs = [(avg, w, id(w) in trainable) for avg, w in zip(self.network.weights, generator.weights)]
        self._calibration = None  # (inputs_fn, n_batches, calibrated copy, step it was calibrated at)

    def calibrate_with(self, inputs_fn, n_batches: int = 20) -> None:
        """Sample from a copy whose BatchNorm statistics come from ``n_batches`` batches of ``inputs_fn(i)``."""
        if not any(isinstance(layer, keras.layers.BatchNormalization) for layer in self.network._flatten_layers()):
            return
        copy = keras.models.clone_model(self.network)
        self._calibration = [inputs_fn, n_batches, copy, None]

    def sampling_network(self, step: int) -> keras.Model:
        """The network to sample from after ``step`` generator steps: the average, recalibrated if asked."""
        if self._calibration is None:
            return self.network
        inputs_fn, n_batches, copy, calibrated_at = self._calibration
        if calibrated_at != step:
            copy.set_weights(self.network.get_weights())
            recalibrate_batchnorm(copy, inputs_fn, n_batches)
            self._calibration[3] = step
        return copy

    def rate(self, step):
        """The decay at generator step ``step`` (a tensor): the warm-up, capped at ``decay``."""
        step = tf.cast(step, tf.float32)
        return tf.minimum(self.decay, (1.0 + step) / (10.0 + step))

    def update(self, step) -> None:
        """Move the average toward the generator's current weights (call after each generator update)."""
        decay = self.rate(step)
        for average, weight, trainable in self._pairs:
            value = tf.cast(weight, average.dtype)
            if trainable or self.statistics == "average":
                average.assign(decay * average + (1.0 - decay) * value)
            else:
                average.assign(value)


def recalibrate_batchnorm(network: keras.Model, inputs_fn, n_batches: int = 20) -> None:
    """Re-estimate every BatchNorm layer's moving statistics of ``network`` from its own activations.

    ``inputs_fn(i)`` returns the i-th batch of network inputs (e.g. fresh z). The moving
    statistics become the exact average of the batch statistics over ``n_batches`` batches
    ("standing statistics", Brock et al. 2019), whatever they were before.
    """
    layers = [layer for layer in network._flatten_layers() if isinstance(layer, keras.layers.BatchNormalization)]
    if not layers:
        return
    saved = [(layer.momentum, layer.trainable) for layer in layers]
    try:
        for layer in layers:
            layer.trainable = True  # a frozen BatchNorm layer would ignore training=True
        for i in range(n_batches):
            for layer in layers:
                layer.momentum = 1.0 - 1.0 / (i + 1)  # a running mean of the batches seen so far
            network(inputs_fn(i), training=True)
    finally:
        for layer, (momentum, trainable) in zip(layers, saved):
            layer.momentum, layer.trainable = momentum, trainable
