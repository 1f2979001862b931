"""What every notebook's setup cell needs: profile, seed, data, figure saving, evaluation.

    session = genlab.notebook.setup("hw4", profile, seed, data_root)
    images, records = session.celeb_data("train")
    session.save_fig(fig, "fig1_2.jpg")

Real datasets are used when ``data_root`` (or ``GENLAB_DATA_ROOT``) points at a folder
holding the layout a notebook needs; otherwise the embedded synthetic data is rendered
(once, cached) and used. The session says which.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genlab import paths
from genlab.profiles import Profile, get_profile, resolve_precision


def _has_mlds(root: Path) -> bool:
    return (root / "extra_data" / "tags.csv").exists() or (root / "tags_clean.csv").exists()


def _has_dlcv(root: Path) -> bool:
    return (root / "hw4_data" / "train.csv").exists()


def _has_celeba(root: Path) -> bool:
    return (root / "list_attr_celeba.txt").exists()


def _find(root: Path | None, check) -> Path | None:
    """``root`` or a direct subfolder of it that holds the layout ``check`` looks for."""
    if root is None:
        return None
    if check(root):
        return root
    for child in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if check(child):
            return child
    return None


@dataclass
class Session:
    """A notebook's settings plus helpers bound to them."""

    part: str
    profile: Profile
    seed: int
    data_root: Path | None

    # -- output -----------------------------------------------------------------------------
    def save_fig(self, fig, name: str) -> Path:
        """Save a matplotlib figure as ``figures/<part>/<name>`` (JPEG) and close nothing."""
        from genlab.plotting import save_figure

        part, _, leaf = name.rpartition("/")
        path = save_figure(fig, part or self.part, leaf)
        print(f"saved {path.relative_to(paths.figures_dir().parent) if paths.figures_dir().parent in path.parents else path}")
        return path

    def save_table(self, table, name: str) -> Path:
        """Save a closing table (pandas DataFrame) as ``figures/tables/<name>.csv`` for the gallery."""
        path = paths.figures_dir("tables") / f"{name}.csv"
        paths.write_atomically(path, lambda f: f.write(table.to_csv(index=True).encode()))
        return path

    def _data_key(self) -> str:
        """``embedded-<renderer fingerprint>``, or a hash of the real data root."""
        if self.data_root is None:
            from genlab.synthetic import embedded_fingerprint

            return f"embedded-{embedded_fingerprint()}"
        return hashlib.sha1(str(self.data_root).encode()).hexdigest()[:8]

    def run_dir(self, name: str) -> Path:
        """Folder for one training run; keyed by profile, seed and data so runs never mix."""
        data = self._data_key()
        return paths.runs_dir(f"{name}-{self.profile.tag}-seed{self.seed}-{data}")

    # -- data -------------------------------------------------------------------------------
    def _root(self, kind: str, check, n: int) -> Path:
        from genlab.synthetic import ensure_embedded

        real = _find(self.data_root, check)
        if real is not None:
            print(f"{kind}: using the real dataset at {real}")
            return real
        if self.data_root is not None:
            print(f"{kind}: no {kind} layout under {self.data_root} (see data/README.md); using embedded synthetic data")
        root = ensure_embedded(kind, n=n, seed=self.seed)
        print(f"{kind}: embedded synthetic data at {root}")
        return root

    def anime_data(self, source: str = "extra", image_size: int | None = None):
        """(uint8 images, AnimeRecords) of the MLDS anime faces at the profile's size."""
        from genlab import data

        root = self._root("mlds", _has_mlds, self.profile.anime_images)
        if (root / "extra_data").exists() is False and source == "extra":
            source = "faces"
        records = data.load_mlds(root, source=source)
        images = data.load_images(records.paths, image_size or self.profile.image_size)
        return images, records

    def celeb_data(self, split: str = "train", image_size: int | None = None):
        """(uint8 images, AttributeRecords) of the DLCV hw4 faces at the profile's size."""
        from genlab import data

        n = self.profile.celeb_images
        root = self._root("dlcv", _has_dlcv, n)
        records = data.read_dlcv_split(root, split)
        images = data.load_images(records.paths, image_size or self.profile.image_size)
        return images, records

    def celeba_data(self, image_size: int | None = None):
        """(uint8 images, AttributeRecords) of CelebA-format faces, centre-cropped like StarGAN."""
        from genlab import data

        root = self._root("celeba", _has_celeba, self.profile.celeb_images)
        records = data.read_celeba_attributes(root)
        images = data.load_images(records.paths, image_size or self.profile.stargan_image_size, crop="center")
        return images, records

    # -- evaluation -------------------------------------------------------------------------
    def classifier(self, name: str, images: np.ndarray, labels: dict, heads: dict):
        """The evaluation classifier for this data (trained once, then loaded from the cache)."""
        from genlab.evaluation import get_attribute_classifier

        data = self._data_key()
        key = f"{name}-{self.profile.tag}-{images.shape[1]}px-seed{self.seed}-{data}"
        return get_attribute_classifier(key, to_float(images), labels, heads,
                                        epochs=self.profile.classifier_epochs, seed=self.seed)


def to_float(images: np.ndarray, value_range=(-1.0, 1.0)) -> np.ndarray:
    """uint8 images to float32 in ``value_range``."""
    low, high = value_range
    return (images.astype("float32") / 255.0) * (high - low) + low


def _limit_threads(threads: str | None) -> None:
    """Use at most ``threads`` CPU threads (``make figures`` sets them: cores / JOBS)."""
    if not threads:
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    except RuntimeError:  # TensorFlow already ran something in this kernel; keep its thread pools
        print(f"GENLAB_THREADS={threads} ignored: TensorFlow was already initialised")


def setup(part: str, profile: str | None = "auto", seed: int = 0, data_root: str | None = "") -> Session:
    """Seed everything, pick the profile, print what it means, and return the session."""
    from genlab.training import set_seed

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _limit_threads(os.environ.get("GENLAB_THREADS"))
    chosen = resolve_precision(get_profile(profile))
    set_seed(seed)
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if chosen.mixed_precision else "float32")
    root = Path(data_root or os.environ.get("GENLAB_DATA_ROOT", "")).expanduser() if (data_root or os.environ.get("GENLAB_DATA_ROOT")) else None
    if root is not None and not root.exists():
        raise FileNotFoundError(f"data_root {root} does not exist; leave it empty to use the embedded synthetic data")
    print(chosen.describe())
    print(f"seed {seed}: fixes the embedded data, the initial weights and every sampled z")
    return Session(part=part, profile=chosen, seed=seed, data_root=root)
