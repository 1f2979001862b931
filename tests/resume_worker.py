"""Run a tiny GAN in its own process; optionally SIGKILL itself mid-run (used by test_training)."""
from __future__ import annotations

import os
import signal
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(__file__))

import keras
import tensorflow as tf

from genlab import train as training
from tiny_models import LATENT_DIM, tiny_discriminator, tiny_generator, toy_images


class KillAt(keras.callbacks.Callback):
    def __init__(self, step, steps_per_epoch):
        super().__init__()
        self.step, self.steps_per_epoch = step, steps_per_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch * self.steps_per_epoch + batch + 1 == self.step:
            os.kill(os.getpid(), signal.SIGKILL)


def main(run_dir: str, kill_at: int, critic: str = "plain") -> None:
    """``critic`` "spectral_norm": an LSGAN whose D carries power-iteration vectors, which must resume too."""
    training.set_seed(0)
    spectral = critic == "spectral_norm"
    gan = training.GAN(tiny_generator(), tiny_discriminator(spectral_norm=spectral), LATENT_DIM, seed=7)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5),
                loss="lsgan" if spectral else "wgan-gp", n_critic=2,
                ema_decay=0.9)  # the generator average is checkpointed and resumes too
    data = tf.data.Dataset.from_tensor_slices(toy_images(96)).shuffle(96, seed=3).batch(16 * 2, drop_remainder=True)
    callbacks = [KillAt(kill_at, 5)] if kill_at else []
    training.train(gan, data, steps=40, run_dir=run_dir, log_every=5, checkpoint_every=10, callbacks=callbacks, tensorboard=False, verbose=0)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:])
