"""Checkpoints of a trainer by name, through ``tf.train.Checkpoint`` and ``tf.train.CheckpointManager``.

A checkpoint holds the trainer's named objects (networks, optimizers with their slots, the seed
generator's state; see ``Trainer.checkpoint_objects``), so a resumed run draws the same noise
and takes the same steps as an uninterrupted one. The manager writes the data files before it
updates its index, so a run killed while saving leaves the previous checkpoint in place.
"""
from __future__ import annotations

from pathlib import Path

import tensorflow as tf

DIFFERENT_ARCHITECTURE = ("it was written by a different architecture or settings. "
                          "Delete the run folder to start over.")


class CheckpointStore:
    """The checkpoints of one run folder; numbered by training step."""

    def __init__(self, directory, model, keep: int = 2):
        self.directory = Path(directory)
        self.model = model
        self.keep = keep
        model.build_optimizer_state()
        self.checkpoint = tf.train.Checkpoint(**model.checkpoint_objects())
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), max_to_keep=keep,
                                                  checkpoint_name="ckpt")

    def steps(self) -> list[int]:
        """Steps of the checkpoints on disk, oldest first."""
        return [int(path.rsplit("-", 1)[1]) for path in self.manager.checkpoints]

    def save(self, step: int) -> str:
        return self.manager.save(checkpoint_number=int(step))

    def restore(self, path: str) -> int:
        """Load the checkpoint at ``path`` into the model; returns its step.

        Every object of the model must find its value and every value its object, so a
        checkpoint written by other networks or settings is refused, not half loaded.
        """
        status = None
        try:
            status = self.checkpoint.restore(path)
            status.assert_consumed()
        except (AssertionError, ValueError, tf.errors.InvalidArgumentError) as error:
            if status is not None:
                status.expect_partial()  # refused: no warning about the values left unread
            raise ValueError(f"{path}: cannot load this checkpoint into the model; {DIFFERENT_ARCHITECTURE}\n"
                             f"({type(error).__name__}: {str(error).splitlines()[0][:300]})") from None
        return int(path.rsplit("-", 1)[1])

    def restore_latest(self) -> int:
        """Restore the newest checkpoint; returns its step, or 0 when there is none."""
        latest = self.manager.latest_checkpoint
        return self.restore(latest) if latest else 0

    def clear(self) -> None:
        for path in list(self.manager.checkpoints):
            for file in self.directory.glob(Path(path).name + ".*"):
                file.unlink()
        (self.directory / "checkpoint").unlink(missing_ok=True)
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), max_to_keep=self.keep,
                                                  checkpoint_name="ckpt")
