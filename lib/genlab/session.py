"""The notebooks' layer: what every setup cell needs, bound to one notebook's profile, seed and data.

    session = setup("hw4_2_gan", profile, seed, data_root)
    images, records = session.celeb_data("train")
    run = session.run("hw4_gan")           # trains, resumes or loads the declared run
    session.save_fig(fig, "fig2_3.jpg")

Without ``data_root`` (or ``GENLAB_DATA_ROOT``) the embedded synthetic data is rendered (once,
cached) and used. With it, a notebook uses the real layouts it finds there and stops with an
error naming where it looked when one it needs is missing, unless ``GENLAB_DATA_FALLBACK=embedded``
(``make figures FALLBACK=embedded``) asks for the embedded data instead. Images come memory-mapped
from a uint8 cache (never all in memory); runs and evaluation classifiers are keyed by the data's
content. The session says which data it used. Library code never imports this module.
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from genlab import paths
from genlab.data.fingerprint import dataset_fingerprint
from genlab.data.layouts import LAYOUTS, NAMES, find_layout, missing_layout
from genlab.data.ranges import to_float
from genlab.data.usage import EMBEDDED, REAL, DataUse, write_uses
from genlab.errors import DatasetError, DataWarning
from genlab.profiles import Profile, get_profile, resolve_precision
from genlab.runtime import limit_threads

FALLBACK_VARIABLE = "GENLAB_DATA_FALLBACK"  # "embedded": parts without a real layout use the embedded data
REPORT_VARIABLE = "GENLAB_REPORT_DIR"  # set by make figures: each notebook's data records go there
STEPS_VARIABLE = "GENLAB_STEPS"  # the dry run: every model trains this many steps
JUDGE_BYTES = 1 << 30  # float32 images an evaluation classifier trains on at most (an evenly spaced subset)
FALLBACK_HINT = ("to use the embedded synthetic faces for the parts without real data, add FALLBACK=embedded to "
                 "make figures (in a notebook: set GENLAB_DATA_FALLBACK=embedded before starting Jupyter)")


@dataclass
class Session:
    """A notebook's settings plus helpers bound to them."""

    notebook: str
    profile: Profile
    seed: int
    data_root: Path | None
    fallback: bool = False
    steps: int | None = None  # every model's steps when overridden (the dry run)
    _cache: dict = field(default_factory=dict, repr=False)
    _sources: dict = field(default_factory=dict, repr=False)  # kind -> (source, fingerprint, root, why)
    _uses: dict = field(default_factory=dict, repr=False)  # DataUse.key -> DataUse
    _tracking: list = field(default_factory=list, repr=False)
    _run_kinds: dict = field(default_factory=dict, repr=False)
    _runs_used: dict = field(default_factory=dict, repr=False)  # run name -> what training it cost (see _record_run)

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

    # -- keys: what the runs and classifier caches are named by ------------------------------
    def data_key(self, kinds=None) -> str:
        """``embedded-<renderer fingerprint>`` when only embedded data is used, else a hash of the
        content fingerprints of the datasets ``kinds`` (default: all loaded so far)."""
        if kinds is None and not self._sources and self.data_root is not None:
            kinds = [kind for kind in LAYOUTS if find_layout(self.data_root, kind)]
        sources = {kind: self._source(kind) for kind in sorted(kinds if kinds is not None else self._sources)}
        if all(source[0] == EMBEDDED for source in sources.values()):
            from genlab.data.synthetic import embedded_fingerprint

            return f"embedded-{embedded_fingerprint()}"
        text = "|".join(f"{kind}:{source}:{fingerprint}" for kind, (source, fingerprint, _, _) in sources.items())
        return f"data-{hashlib.sha1(text.encode()).hexdigest()[:12]}"

    def _data_key(self) -> str:
        return self.data_key()

    def run_dir(self, name: str) -> Path:
        """Folder for one training run; keyed by profile, seed, the data's content, the run's settings
        (:func:`~genlab.recipes.runs.run_fingerprint`) and the replicas."""
        from genlab.recipes.runs import run_fingerprint
        from genlab.train.devices import replicas

        steps = f"-steps{self.steps}" if self.steps else ""
        devices = f"-r{replicas()}" if replicas() > 1 else ""
        key = self.data_key(self._run_kinds.get(name))
        settings = run_fingerprint(self.spec(name), self.profile)
        return paths.runs_dir(f"{name}-{self.profile.tag}{steps}-seed{self.seed}-{key}-{settings}{devices}")

    # -- data -------------------------------------------------------------------------------
    def _source(self, kind: str, n: int | None = None) -> tuple:
        """``(real or embedded, fingerprint, root, why embedded)`` of ``kind``; renders embedded data if asked to."""
        from genlab.data.synthetic import ensure_embedded, renderer_fingerprint

        if kind not in self._sources:
            real = find_layout(self.data_root, kind)
            if real is not None:
                self._sources[kind] = (REAL, dataset_fingerprint(real, kind), real, "")
            elif self.data_root is not None and not self.fallback:
                raise missing_layout(self.data_root, kind, needed_by=self.notebook, then=FALLBACK_HINT)
            else:
                why = f"FALLBACK=embedded: no {NAMES[kind]} layout under {self.data_root}" if self.data_root else ""
                self._sources[kind] = (EMBEDDED, renderer_fingerprint(kind), None, why)
        source, fingerprint, root, why = self._sources[kind]
        if root is None and n is not None:
            root = ensure_embedded(kind, n=n, seed=self.seed)
            self._sources[kind] = (source, fingerprint, root, why)
        return self._sources[kind]

    def _load(self, cache_key, kind: str, part, n: int, read, image_size: int, crop=None):
        """(memory-mapped uint8 images, records) of one dataset part, read once per session and recorded.

        ``read(root)`` returns the records; ``part`` names the part, or is ``part(root)`` naming it."""
        for kinds in self._tracking:
            kinds.add(kind)
        if cache_key not in self._cache:
            from genlab.data.images import image_array

            source, fingerprint, root, why = self._source(kind, n)
            part = part(root) if callable(part) else part
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                records = read(root)
            for warning in caught:  # shown in the notebook as before, and recorded for make figures
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
            use = DataUse(kind, part, source, str(root), fingerprint, len(records),
                          getattr(records, "dropped_rows", 0), getattr(records, "drop_reasons", {}),
                          [str(w.message) for w in caught if issubclass(w.category, DataWarning)], why)
            print(use.line())
            images = image_array(records.paths, image_size, crop=crop, log=print)
            self._uses[use.key] = use
            self._write_uses()
            self._cache[cache_key] = (images, records)
        return self._cache[cache_key]

    def _write_uses(self) -> None:
        folder = os.environ.get(REPORT_VARIABLE)
        if folder:
            write_uses(Path(folder) / f"{self.notebook}.data.json", list(self._uses.values()))

    @property
    def data_uses(self) -> list[DataUse]:
        """What this session loaded so far: one record per dataset part."""
        return list(self._uses.values())

    def anime_data(self, source: str = "extra", image_size: int | None = None):
        """(uint8 images, AnimeRecords) of the MLDS anime faces at the profile's size."""
        from genlab.data import load_mlds

        def chosen(root):  # extra_data, or faces/ when only that part is there
            return "faces" if source == "extra" and not (root / "extra_data").exists() else source

        def part(root):
            return {"extra": "extra_data", "both": "extra_data+faces"}.get(chosen(root), chosen(root))

        return self._load(("anime", source, image_size), "mlds", part, self.profile.anime_images,
                          lambda root: load_mlds(root, source=chosen(root)), image_size or self.profile.image_size)

    def celeb_data(self, split: str = "train", image_size: int | None = None):
        """(uint8 images, AttributeRecords) of the DLCV hw4 faces at the profile's size."""
        from genlab.data import read_dlcv_split

        return self._load(("celeb", split, image_size), "dlcv", split, self.profile.celeb_images,
                          lambda root: read_dlcv_split(root, split), image_size or self.profile.image_size)

    def celeba_data(self, image_size: int | None = None):
        """(uint8 images, AttributeRecords) of CelebA-format faces, centre-cropped like StarGAN."""
        from genlab.data import read_celeba_attributes

        return self._load(("celeba", image_size), "celeba", "img_align_celeba", self.profile.celeb_images,
                          read_celeba_attributes, image_size or self.profile.stargan_image_size, crop="center")

    @contextmanager
    def _kinds_used(self):
        """Collects the dataset kinds the block loads (runs and classifiers are keyed by them)."""
        kinds = set()
        self._tracking.append(kinds)
        try:
            yield kinds
        finally:
            self._tracking.remove(kinds)

    # -- runs and judges --------------------------------------------------------------------
    def spec(self, name: str):
        """The registry's run ``name`` as this session's profile trains it (see ``registry.PROFILE_SETTINGS``)."""
        from genlab.recipes import registry

        return registry.get(name, self.profile)

    def run(self, name: str):
        """Train, resume or load the registry's run ``name``; returns a :class:`~genlab.recipes.runs.Run`."""
        from genlab.recipes import registry
        from genlab.recipes.runs import train_run

        spec = self.spec(name)
        registry.check_use(spec, self.notebook)
        if name in self.profile.left_out_runs:
            raise ValueError(f"run {name!r} is left out of profile {self.profile.name!r} (its left_out_runs in "
                             "genlab/profiles.py); the 'full' profile trains it")
        with self._kinds_used() as kinds:
            images, conditions = spec.data(self)
        self._run_kinds[name] = kinds
        self._check_enough(spec, images, kinds)
        run = train_run(spec, self.profile, self.seed, self.run_dir(name), images, conditions)
        self._record_run(run)
        return run

    def _record_run(self, run) -> None:
        """Note the run's folder and what its training cost, here and in earlier sessions (for the gallery).

        A notebook that asks for a run again keeps the record of its first use, the one that trained it."""
        if run.name in self._runs_used:
            return
        history, resumed = run.history, int(run.result.resumed_from)
        total = earlier = 0.0
        if "seconds" in history:  # one row per logged interval, ending at "step"
            total = float(history["seconds"].sum())
            earlier = float(history.loc[history["step"] <= resumed, "seconds"].sum())
        self._runs_used[run.name] = {"run": run.name, "folder": run.result.run_dir.name, "steps": int(run.result.steps),
                                     "resumed_from": resumed, "training_seconds": round(total, 1),
                                     "earlier_seconds": round(earlier, 1)}
        folder = os.environ.get(REPORT_VARIABLE)
        if folder:
            path = Path(folder) / f"{self.notebook}.runs.json"
            path.write_text(json.dumps(list(self._runs_used.values()), indent=2), encoding="utf-8")

    def _check_enough(self, spec, images, kinds) -> None:
        """Stop before training when one training step needs more images than the data gives."""
        from genlab.recipes import sources

        per_step = spec.batch_size or self.profile.batch_size
        critic = int(spec.hparams.get("n_critic", 1))
        needed = per_step * critic
        if len(images) >= needed:
            return
        uses = [use for use in self._uses.values() if use.kind in kinds]
        total = max((use.kept for use in uses), default=len(images))
        minimum = needed
        while spec.data is sources.stargan_faces and len(sources.stargan_split(np.zeros(minimum), np.zeros(minimum))[0]) < needed:
            minimum += 1
        steps = f"{per_step} images x {critic} critic steps = {needed}" if critic > 1 else f"{needed}"
        held = f" (of {total}; {total - len(images)} held out for evaluation)" if total > len(images) else ""
        where = " and ".join(f"{use.kind} {use.part}" for use in uses) or "the data"
        smaller = "" if spec.batch_size or self.profile.name == "smoke" else " (or a smaller profile: PROFILE=smoke)"
        raise DatasetError(f"too few images for {spec.label or spec.name}: one training step takes {steps} images, "
                           f"but {where} gives {len(images)}{held}. Use at least {minimum} images{smaller}.",
                           uses[0].root if uses else None)

    def runs(self, names) -> dict:
        """``{label: Run}`` for several registry runs, in order, but for those the profile leaves out (printed)."""
        for name in (n for n in names if n in self.profile.left_out_runs):
            print(f"left out of profile {self.profile.name!r}: {self.spec(name).label} ({name}); "
                  "the 'full' profile trains it")
        runs = [self.run(name) for name in names if name not in self.profile.left_out_runs]
        return {run.label: run for run in runs}

    def classifier(self, name: str):
        """The evaluation classifier ``name`` (see ``genlab.recipes.judges``), trained once, then loaded.

        It trains on at most ``JUDGE_BYTES`` of float32 images: an evenly spaced subset of a larger set.
        """
        from genlab.eval.classifier import get_attribute_classifier
        from genlab.recipes.judges import JUDGES
        from genlab.train.devices import strategy_scope

        with self._kinds_used() as kinds:
            images, labels, heads = JUDGES[name](self)
        most = max(1, JUDGE_BYTES // (4 * int(np.prod(images.shape[1:]))))
        if len(images) > most:
            keep = np.unique(np.linspace(0, len(images) - 1, most).round().astype(int))
            print(f"evaluation classifier {name!r}: trains on {len(keep):,} of {len(images):,} images "
                  f"(evenly spaced; at most {JUDGE_BYTES >> 20} MiB of float32)")
            images, labels = images[keep], {head: np.asarray(value)[keep] for head, value in labels.items()}
        key = f"{name}-{self.profile.tag}-{images.shape[1]}px-seed{self.seed}-{self.data_key(kinds)}"
        with strategy_scope():
            return get_attribute_classifier(key, to_float(images), labels, heads,
                                            epochs=self.profile.classifier_epochs, seed=self.seed)


def _data_root(given: str | None) -> Path | None:
    """The data folder as an absolute path (relative: from the current folder), or None for the embedded data."""
    given = given or os.environ.get("GENLAB_DATA_ROOT", "")
    if not given:
        return None
    root = Path(os.path.abspath(Path(given).expanduser()))
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "does not exist"
        raise DatasetError(f"the data folder {what} (data_root={given!r}); leave data_root empty for the embedded "
                           "synthetic data", root)
    return root


def _fallback(value: str | None) -> bool:
    value = (value if value is not None else os.environ.get(FALLBACK_VARIABLE, "")).strip().lower()
    if value not in ("", "none", "embedded"):
        raise ValueError(f"{FALLBACK_VARIABLE}={value!r}: use 'embedded' (or leave it empty to stop on missing data)")
    return value == "embedded"


def setup(notebook: str, profile: str | None = "auto", seed: int = 0, data_root: str | None = "",
          fallback: str | None = None) -> Session:
    """Seed everything, pick the profile and devices, print what they mean, and return the session of ``notebook``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from genlab.train import devices
    from genlab.train.driver import set_seed

    devices.configure_cpu_devices()
    limit_threads()
    chosen = resolve_precision(get_profile(profile))
    steps = int(os.environ.get(STEPS_VARIABLE) or 0) or None
    if steps:
        chosen = replace(chosen, steps={key: steps for key in chosen.steps},
                         classifier_epochs=min(chosen.classifier_epochs, 1))
    set_seed(seed)
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if chosen.mixed_precision else "float32")
    root, use_fallback = _data_root(data_root), _fallback(fallback)
    print(chosen.describe())
    if steps:
        print(f"  dry run ({STEPS_VARIABLE}={steps}): every model trains {steps} steps, evaluation classifiers "
              f"{chosen.classifier_epochs} epoch(s); data sizes, networks and resolutions as the profile says")
    print(f"seed {seed}: fixes the embedded data, the initial weights and every sampled z")
    print(devices.describe())
    print(f"data: real datasets under {root}" + (" (parts without one: embedded, FALLBACK=embedded)" if use_fallback
                                                  else "") if root else "data: embedded synthetic faces")
    return Session(notebook=notebook, profile=chosen, seed=seed, data_root=root, fallback=use_fallback, steps=steps)
