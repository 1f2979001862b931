"""One GAN training step on one device and under MirroredStrategy over two logical CPUs.

Prints the largest weight difference between the two; used by test_training.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import keras
import numpy as np
import tensorflow as tf

from genlab import train as training
from tiny_models import LATENT_DIM, tiny_discriminator, tiny_generator, toy_images

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)


class DataDrivenNoiseGAN(training.GAN):
    """z is a fixed function of each real image, so both runs see identical noise per example."""

    def sample_latent(self, batch_size, real=None):
        return tf.reshape(real, (tf.shape(real)[0], -1))[:, :LATENT_DIM] * 2.0


def one_step(strategy, loss):
    with strategy.scope():
        training.set_seed(0)
        gan = DataDrivenNoiseGAN(tiny_generator(batch_norm=False), tiny_discriminator(), LATENT_DIM)
        gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), loss=loss)
    data = tf.data.Dataset.from_tensor_slices(toy_images(32)).batch(32)
    gan.fit(data, epochs=1, steps_per_epoch=1, verbose=0)
    return [w.numpy() for w in gan.generator.weights + gan.discriminator.weights]


if __name__ == "__main__":
    loss = sys.argv[1] if len(sys.argv) > 1 else "nonsaturating"
    single = one_step(tf.distribute.OneDeviceStrategy("/cpu:0"), loss)
    mirrored_strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored_strategy.num_replicas_in_sync == 2
    mirrored = one_step(mirrored_strategy, loss)
    moved = max(float(np.abs(a - b0).max()) for a, b0 in zip(single, one_step(tf.distribute.OneDeviceStrategy("/cpu:0"), loss)))
    diff = max(float(np.abs(a - b).max()) for a, b in zip(single, mirrored))
    print(f"MAXDIFF {diff:.3e} REPEAT {moved:.3e}")
