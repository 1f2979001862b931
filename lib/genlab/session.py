"""The notebooks' layer: what every setup cell needs, bound to one notebook's profile, seed and data.

    session = setup("hw4_2_gan", profile, seed, data_root)
    images, records = session.celeb_data("train")
    run = session.run("hw4_gan")           # trains, resumes or loads the declared run
    session.save_fig(fig, "fig2_3.jpg")

Real datasets are used when ``data_root`` (or ``GENLAB_DATA_ROOT``) points at a folder holding
the layout a notebook needs; otherwise the embedded synthetic data is rendered (once, cached)
and used. The session says which. Library code never imports this module.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from genlab import paths
from genlab.data.layouts import find_layout
from genlab.data.ranges import to_float
from genlab.profiles import Profile, get_profile, resolve_precision
from genlab.runtime import limit_threads


@dataclass
class Session:
    """A notebook's settings plus helpers bound to them."""

    notebook: str
    profile: Profile
    seed: int
    data_root: Path | None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def part(self) -> str:
        """The figure folder: ``hw3`` or ``hw4``, from the notebook's name."""
        return self.notebook.split("_", 1)[0]

    # -- output -----------------------------------------------------------------------------
    def save_fig(self, fig, name: str) -> Path:
        """Save a matplotlib figure as ``figures/<part>/<name>`` (JPEG) and close nothing."""
        from genlab.report.plots import save_figure

        part, _, leaf = name.rpartition("/")
        path = save_figure(fig, part or self.part, leaf)
        print(f"saved {path.relative_to(paths.figures_dir().parent) if paths.figures_dir().parent in path.parents else path}")
        return path

    def save_table(self, table, name: str) -> Path:
        """Save a closing table (pandas DataFrame) as ``figures/tables/<name>.csv`` for the gallery."""
        from genlab.report.tables import write_table

        path = paths.figures_dir("tables") / f"{name}.csv"
        write_table(table, path)
        return path

    def _data_key(self) -> str:
        """``embedded-<renderer fingerprint>``, or a hash of the real data root."""
        if self.data_root is None:
            from genlab.data.synthetic import embedded_fingerprint

            return f"embedded-{embedded_fingerprint()}"
        return hashlib.sha1(str(self.data_root).encode()).hexdigest()[:8]

    def run_dir(self, name: str) -> Path:
        """Folder for one training run; keyed by profile, seed and data so runs never mix."""
        return paths.runs_dir(f"{name}-{self.profile.tag}-seed{self.seed}-{self._data_key()}")

    # -- data -------------------------------------------------------------------------------
    def _root(self, kind: str, n: int) -> Path:
        from genlab.data.synthetic import ensure_embedded

        real = find_layout(self.data_root, kind)
        if real is not None:
            print(f"{kind}: using the real dataset at {real}")
            return real
        if self.data_root is not None:
            print(f"{kind}: no {kind} layout under {self.data_root} (see data/README.md); using embedded synthetic data")
        root = ensure_embedded(kind, n=n, seed=self.seed)
        print(f"{kind}: embedded synthetic data at {root}")
        return root

    def _loaded(self, key, load):
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def anime_data(self, source: str = "extra", image_size: int | None = None):
        """(uint8 images, AnimeRecords) of the MLDS anime faces at the profile's size."""
        from genlab.data import load_images, load_mlds

        def load():
            root = self._root("mlds", self.profile.anime_images)
            chosen = "faces" if source == "extra" and not (root / "extra_data").exists() else source
            records = load_mlds(root, source=chosen)
            return load_images(records.paths, image_size or self.profile.image_size), records

        return self._loaded(("anime", source, image_size), load)

    def celeb_data(self, split: str = "train", image_size: int | None = None):
        """(uint8 images, AttributeRecords) of the DLCV hw4 faces at the profile's size."""
        from genlab.data import load_images, read_dlcv_split

        def load():
            records = read_dlcv_split(self._root("dlcv", self.profile.celeb_images), split)
            return load_images(records.paths, image_size or self.profile.image_size), records

        return self._loaded(("celeb", split, image_size), load)

    def celeba_data(self, image_size: int | None = None):
        """(uint8 images, AttributeRecords) of CelebA-format faces, centre-cropped like StarGAN."""
        from genlab.data import load_images, read_celeba_attributes

        def load():
            records = read_celeba_attributes(self._root("celeba", self.profile.celeb_images))
            return load_images(records.paths, image_size or self.profile.stargan_image_size, crop="center"), records

        return self._loaded(("celeba", image_size), load)

    # -- runs and judges --------------------------------------------------------------------
    def run(self, name: str):
        """Train, resume or load the registry's run ``name``; returns a :class:`~genlab.recipes.runs.Run`."""
        from genlab.recipes import registry
        from genlab.recipes.runs import train_run

        spec = registry.get(name)
        registry.check_use(spec, self.notebook)
        images, conditions = spec.data(self)
        return train_run(spec, self.profile, self.seed, self.run_dir(name), images, conditions)

    def runs(self, names) -> dict:
        """``{label: Run}`` for several registry runs, in order."""
        runs = [self.run(name) for name in names]
        return {run.label: run for run in runs}

    def classifier(self, name: str):
        """The evaluation classifier ``name`` (see ``genlab.recipes.judges``), trained once, then loaded."""
        from genlab.eval.classifier import get_attribute_classifier
        from genlab.recipes.judges import JUDGES

        images, labels, heads = JUDGES[name](self)
        key = f"{name}-{self.profile.tag}-{images.shape[1]}px-seed{self.seed}-{self._data_key()}"
        return get_attribute_classifier(key, to_float(images), labels, heads,
                                        epochs=self.profile.classifier_epochs, seed=self.seed)


def setup(notebook: str, profile: str | None = "auto", seed: int = 0, data_root: str | None = "") -> Session:
    """Seed everything, pick the profile, print what it means, and return the session of ``notebook``."""
    from genlab.train.driver import set_seed

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    limit_threads()
    chosen = resolve_precision(get_profile(profile))
    set_seed(seed)
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if chosen.mixed_precision else "float32")
    given = data_root or os.environ.get("GENLAB_DATA_ROOT", "")
    root = Path(given).expanduser() if given else None
    if root is not None and not root.exists():
        raise FileNotFoundError(f"data_root {root} does not exist; leave it empty to use the embedded synthetic data")
    print(chosen.describe())
    print(f"seed {seed}: fixes the embedded data, the initial weights and every sampled z")
    return Session(notebook=notebook, profile=chosen, seed=seed, data_root=root)
