"""The evaluation classifier: a small CNN the suite trains on a dataset's own labels (no downloaded weights).

Its penultimate layer is the feature space of the Frechet and kernel distances; its heads judge
whether generated faces carry the attributes they were asked for. Trained once per data, profile
and seed, then loaded from ``cache_dir()/classifiers``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from genlab import paths
from genlab.data.ranges import as_signed
from genlab.train.inference import batched

_METRIC = {"categorical": "sparse_categorical_accuracy", "binary": "binary_accuracy"}
_LOSS = {"categorical": "sparse_categorical_crossentropy", "binary": "binary_crossentropy"}


def _check_heads(heads: dict) -> dict:
    if not heads:
        raise ValueError("heads must name at least one output")
    checked = {}
    for name, spec in heads.items():
        kind, n = spec
        if name == AttributeClassifier.FEATURE_LAYER:
            raise ValueError(f"head name {name!r} is taken by the feature layer")
        if kind not in _METRIC:
            raise ValueError(f"head {name!r}: kind must be 'categorical' or 'binary', not {kind!r}")
        if int(n) < 1 or (kind == "categorical" and int(n) < 2):
            raise ValueError(f"head {name!r}: {kind} head needs a positive size (>= 2 classes), got {n}")
        checked[str(name)] = (kind, int(n))
    return checked


class AttributeClassifier:
    """A small CNN trained on a dataset's labels; its penultimate layer is the feature space.

    ``heads`` maps a name to ``("categorical", n_classes)`` (integer labels) or
    ``("binary", n_attributes)`` (0/1 label vectors). Inputs are images in [-1, 1] (uint8
    0..255 is converted) of any size; they are resized to ``eval_size`` inside the network.
    """

    FEATURE_LAYER = "features"

    def __init__(self, heads: dict, eval_size: int = 32, width: int = 32, feature_units: int = 128, model=None):
        self.heads = _check_heads(heads)
        self.eval_size = int(eval_size)
        self.width = int(width)
        self.feature_units = int(feature_units)
        self.validation_accuracy: dict[str, float] = {}
        self.model = model if model is not None else self._build()
        self._feature_model = None

    def _build(self):
        import keras
        from keras import layers

        inputs = keras.Input((None, None, 3))
        h = layers.Resizing(self.eval_size, self.eval_size, antialias=True)(inputs)
        for filters in (self.width, 2 * self.width, 4 * self.width):
            for stride in (1, 2):
                h = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(h)
                # momentum 0.9: the moving statistics settle within a few dozen steps, so a
                # classifier trained briefly on a small set predicts as well as it trains.
                h = layers.BatchNormalization(momentum=0.9)(h)
                h = layers.ReLU()(h)
        h = layers.GlobalAveragePooling2D()(h)
        features = layers.Dense(self.feature_units, activation="relu", name=self.FEATURE_LAYER)(h)
        outputs = {name: layers.Dense(n, activation="softmax" if kind == "categorical" else "sigmoid",
                                      dtype="float32", name=name)(features)
                   for name, (kind, n) in self.heads.items()}
        return keras.Model(inputs, outputs, name="attribute_classifier")

    def _targets(self, labels: dict, n_images: int) -> dict:
        targets = {}
        for name, (kind, n) in self.heads.items():
            if name not in labels:
                raise ValueError(f"labels has no entry for head {name!r} (got {sorted(labels)})")
            target = np.asarray(labels[name])
            if kind == "categorical":
                target = target.reshape(-1) if target.ndim == 2 and target.shape[1] == 1 else target
                if target.shape != (n_images,):
                    raise ValueError(f"head {name!r}: expected {n_images} class ids, got shape {target.shape}")
                if target.min() < 0 or target.max() >= n:
                    raise ValueError(f"head {name!r}: class ids must lie in [0, {n}), got [{target.min()}, {target.max()}]")
                targets[name] = target.astype("int32")
            else:
                target = target.reshape(-1, 1) if target.ndim == 1 and n == 1 else target
                if target.shape != (n_images, n):
                    raise ValueError(f"head {name!r}: expected 0/1 labels of shape ({n_images}, {n}), got {target.shape}")
                if not np.isin(target, (0, 1)).all():
                    raise ValueError(f"head {name!r}: binary labels must be 0 or 1")
                targets[name] = target.astype("float32")
        return targets

    def fit(self, images, labels: dict, epochs: int = 8, batch_size: int = 64, validation_split: float = 0.1,
            seed: int = 0) -> AttributeClassifier:
        """Train with keras ``fit`` (Adam 1e-3); the last epoch's validation accuracy per head goes
        to ``self.validation_accuracy`` (empty when ``validation_split`` is 0)."""
        import keras

        images = as_signed(images)
        targets = self._targets(labels, len(images))
        keras.utils.set_random_seed(seed)
        self.model.compile(optimizer=keras.optimizers.Adam(1e-3),
                           loss={n: _LOSS[k] for n, (k, _) in self.heads.items()},
                           metrics={n: [_METRIC[k]] for n, (k, _) in self.heads.items()})
        # keras takes the validation split from the end: shuffle first so it is a random sample.
        order = np.random.default_rng(seed).permutation(len(images))
        history = self.model.fit(images[order], {n: t[order] for n, t in targets.items()}, epochs=epochs,
                                 batch_size=batch_size, validation_split=validation_split, shuffle=True, verbose=0)
        self.validation_accuracy = {}
        for name, (kind, _) in self.heads.items():
            metric = _METRIC[kind]
            for key in (f"val_{name}_{metric}", f"val_{metric}"):
                if key in history.history:
                    self.validation_accuracy[name] = float(history.history[key][-1])
                    break
        self._feature_model = None
        return self

    def predict(self, images, batch_size: int = 256) -> dict[str, np.ndarray]:
        """Per-head probabilities: (N, n_classes) softmax or (N, n_attributes) sigmoid."""
        out = batched(lambda x: self.model(x, training=False), as_signed(images), batch_size)
        if not isinstance(out, dict):  # keras may unwrap a single output
            out = {next(iter(self.heads)): out}
        return out

    def features(self, images, batch_size: int = 256) -> np.ndarray:
        """Penultimate-layer activations, (N, feature_units): the space FID/KID are measured in."""
        import keras

        if self._feature_model is None:
            self._feature_model = keras.Model(self.model.input, self.model.get_layer(self.FEATURE_LAYER).output)
        return batched(lambda x: self._feature_model(x, training=False), as_signed(images), batch_size).astype("float32")

    def metadata(self) -> dict:
        return {"heads": {n: list(spec) for n, spec in self.heads.items()}, "eval_size": self.eval_size,
                "width": self.width, "feature_units": self.feature_units,
                "validation_accuracy": self.validation_accuracy}

    def save(self, path, extra: dict | None = None) -> Path:
        """Write ``path`` (.keras) and ``path`` with a .json suffix (heads, sizes, accuracy), atomically."""
        path = Path(path)
        if path.suffix != ".keras":
            raise ValueError(f"{path}: the classifier file must end in .keras")
        with paths.atomic_path(path) as tmp:
            self.model.save(tmp)
        paths.write_atomically(path.with_suffix(".json"),
                               lambda f: f.write(json.dumps({**self.metadata(), **(extra or {})}, indent=2).encode()))
        return path

    @classmethod
    def load(cls, path) -> AttributeClassifier:
        """Load a classifier written by :meth:`save`."""
        import keras

        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        model = keras.models.load_model(path, compile=False)
        classifier = cls({n: tuple(spec) for n, spec in meta["heads"].items()}, meta["eval_size"],
                         width=meta.get("width", 32), feature_units=meta.get("feature_units", 128), model=model)
        classifier.validation_accuracy = meta.get("validation_accuracy", {})
        return classifier


def classifier_cache_path(cache_key: str) -> Path:
    """Where :func:`get_attribute_classifier` keeps the classifier for ``cache_key``."""
    if not cache_key or any(c in cache_key for c in "/\\") or cache_key.startswith("."):
        raise ValueError(f"cache_key must be a plain file name, got {cache_key!r}")
    return paths.cache_dir() / "classifiers" / f"{cache_key}.keras"


def get_attribute_classifier(cache_key: str, images, labels: dict, heads: dict, epochs: int = 8, seed: int = 0,
                             eval_size: int = 32, width: int = 32, batch_size: int = 64,
                             validation_split: float = 0.1) -> AttributeClassifier:
    """Train the evaluation classifier once per ``cache_key``; later calls load it from the cache.

    The cache (``cache_dir()/classifiers/<cache_key>.keras`` + ``.json``) is reused only when it
    was trained with the same heads, sizes, epochs, seed and number of images (as far as its
    json records them); otherwise, or when it cannot be read, the classifier is retrained and
    the cache overwritten.
    """
    import keras

    path = classifier_cache_path(cache_key)
    recipe = {"heads": {n: list(spec) for n, spec in _check_heads(heads).items()}, "eval_size": int(eval_size),
              "width": int(width), "epochs": int(epochs), "seed": int(seed), "n_images": len(images)}
    meta_path = path.with_suffix(".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    with paths.exclusive(path):  # notebooks running side by side train each classifier once
        if path.exists() and meta_path.exists():
            try:
                meta = json.loads(meta_path.read_text())
                # Caches written before the recipe was recorded only know heads and eval_size.
                if all(meta.get(key, value) == value for key, value in recipe.items()) and "heads" in meta:
                    return AttributeClassifier.load(path)
                print(f"{path}: cached classifier was trained differently; retraining")
            except (OSError, ValueError, KeyError) as error:
                print(f"{path}: unreadable cached classifier ({error}); retraining")
        keras.utils.set_random_seed(seed)  # the weight initialisation, too
        classifier = AttributeClassifier(heads, eval_size=eval_size, width=width)
        classifier.fit(images, labels, epochs=epochs, batch_size=batch_size, validation_split=validation_split, seed=seed)
        classifier.save(path, extra=recipe)
        return classifier
