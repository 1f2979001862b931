"""Measuring generated images without downloaded weights.

- Feature-space distances (Frechet, kernel/KID) on the penultimate features of an
  :class:`AttributeClassifier` that the suite trains on the dataset's own labels; every value
  comes with the real-vs-real floor, since the absolute numbers mean nothing outside this
  feature space.
- Conditional accuracy of generated images by the same classifier.
- Face hit rates with independent, shipped detectors: ``animeface`` for anime images and
  OpenCV's Haar face/smile cascades for photo-like images.

Images are float arrays (N, H, W, 3) in [-1, 1] unless a ``value_range`` says otherwise;
uint8 arrays are taken as 0..255 everywhere.
"""
from __future__ import annotations

import ctypes
import functools
import json
import warnings
from pathlib import Path

import numpy as np
from scipy import linalg

from genlab import paths


def to_uint8(images, value_range=(-1.0, 1.0)) -> np.ndarray:
    """Float images in ``value_range`` to uint8 0..255 (clipped, rounded)."""
    low, high = value_range
    if high <= low:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range}")
    scaled = (np.asarray(images, dtype="float32") - low) / (high - low)
    return np.clip(np.round(scaled * 255.0), 0, 255).astype(np.uint8)


def _as_signed_float(images) -> np.ndarray:
    """(N, H, W, 3) float32 in [-1, 1]; uint8 input is converted, anything else checked."""
    array = np.asarray(images)
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"expected images of shape (N, H, W, 3), got {array.shape}")
    if array.dtype == np.uint8:
        return array.astype("float32") / 127.5 - 1.0
    array = array.astype("float32", copy=False)
    if array.size and (array.min() < -1.5 or array.max() > 1.5):
        raise ValueError(f"images should be floats in [-1, 1], got values in [{array.min():.3g}, {array.max():.3g}]")
    return array


# ----------------------------------------------------------------------------------------
# Distances
# ----------------------------------------------------------------------------------------


def _feature_matrix(features, name: str) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2 or len(array) < 2:
        raise ValueError(f"{name}: expected an (N, D) feature array with N >= 2, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: features contain NaN or inf")
    return array


def _sqrtm(matrix: np.ndarray) -> np.ndarray:
    # Covariances of ReLU features are often singular (dead units); sqrtm warns about that
    # and the caller checks the result instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return linalg.sqrtm(matrix)


def frechet_distance(features_a, features_b, eps: float = 1e-6) -> float:
    """Frechet distance between Gaussians fitted to two (N, D) feature sets (the FID formula).

    ``|mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2))``. When the matrix square root is not
    finite or has a sizeable imaginary part (near-singular covariances), ``eps * I`` is added
    to both covariances and the root is taken again.
    """
    a, b = _feature_matrix(features_a, "features_a"), _feature_matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} vs {b.shape[1]}")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))

    def usable(root) -> bool:
        return np.isfinite(root).all() and (
            not np.iscomplexobj(root) or np.allclose(np.diagonal(root).imag, 0.0, atol=1e-3))

    covmean = _sqrtm(cov_a @ cov_b)
    if not usable(covmean):
        offset = np.eye(len(cov_a)) * eps
        covmean = _sqrtm((cov_a + offset) @ (cov_b + offset))
        if not usable(covmean):
            raise ValueError("Frechet distance: the covariance product has no usable square root")
    diff = mu_a - mu_b
    value = diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(np.real(covmean))
    return float(max(0.0, value))  # rounding can make identical sets come out at -1e-12


def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3."""
    d = x.shape[1]
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    m, n = len(x), len(y)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * k_xy.mean())


def kernel_distance(features_a, features_b, n_subsets: int = 10, subset_size: int | None = None,
                    seed: int = 0) -> tuple[float, float]:
    """Kernel Inception-style distance (KID): unbiased MMD^2, cubic polynomial kernel.

    Averaged over ``n_subsets`` random subsets of ``subset_size`` from each set (default: half
    the smaller set, at most 1000, so the spread over subsets means something). Returns
    ``(mean, std)``. Being unbiased, it can come out slightly negative for equal distributions.
    """
    a, b = _feature_matrix(features_a, "features_a"), _feature_matrix(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} vs {b.shape[1]}")
    if n_subsets < 1:
        raise ValueError(f"n_subsets must be >= 1, got {n_subsets}")
    largest = min(len(a), len(b))
    size = min(1000, largest // 2) if subset_size is None else min(int(subset_size), largest)
    size = max(2, size)
    rng = np.random.default_rng(seed)
    values = [_mmd2_unbiased(a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)])
              for _ in range(n_subsets)]
    return float(np.mean(values)), float(np.std(values))


def real_floor(features_real, seed: int = 0, n_half: int | None = None) -> dict:
    """FID and KID between two disjoint random subsets of the real features.

    ``n_half`` is the size of each subset (default and maximum: half the set). This is the
    value a perfect generator would reach with that many samples; report it beside every
    distance.
    """
    real = _feature_matrix(features_real, "features_real")
    half = len(real) // 2 if n_half is None else min(int(n_half), len(real) // 2)
    if half < 2:
        raise ValueError(f"real_floor needs at least 4 real feature vectors, got {len(real)}")
    order = np.random.default_rng(seed).permutation(len(real))
    a, b = real[order[:half]], real[order[half : 2 * half]]
    kid, kid_std = kernel_distance(a, b, seed=seed)
    return {"fid": frechet_distance(a, b), "kid": kid, "kid_std": kid_std, "n": int(half)}


def distance_report(features_real, features_fake, seed: int = 0) -> dict:
    """FID/KID of fakes against reals, with the real-vs-real floor at the same sample size.

    With ``n = min(len(fake), len(real) // 2)``: ``n`` fakes are compared with ``n`` random
    reals, and the floor compares those reals with ``n`` other (disjoint) reals. Both FID values
    carry the same small-sample bias, so they can be compared. Pass at least twice as many real
    as fake features to use every fake.
    """
    real = _feature_matrix(features_real, "features_real")
    fake = _feature_matrix(features_fake, "features_fake")
    size = min(len(fake), len(real) // 2)
    if size < 2:
        raise ValueError(f"distance_report needs >= 2 fake and >= 4 real features, got {len(fake)} and {len(real)}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(real))
    real_a, real_b = real[order[:size]], real[order[size : 2 * size]]
    fake = fake[rng.permutation(len(fake))[:size]]
    kid, kid_std = kernel_distance(real_a, fake, seed=seed)
    return {
        "fid": frechet_distance(real_a, fake),
        "kid": kid,
        "kid_std": kid_std,
        "fid_floor": frechet_distance(real_a, real_b),
        "kid_floor": kernel_distance(real_a, real_b, seed=seed)[0],
        "n": int(size),
    }


# ----------------------------------------------------------------------------------------
# The evaluation classifier
# ----------------------------------------------------------------------------------------

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
            seed: int = 0) -> "AttributeClassifier":
        """Train with keras ``fit`` (Adam 1e-3); the last epoch's validation accuracy per head goes
        to ``self.validation_accuracy`` (empty when ``validation_split`` is 0)."""
        import keras

        images = _as_signed_float(images)
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
        out = _run_in_batches(self.model, _as_signed_float(images), batch_size)
        if not isinstance(out, dict):  # keras may unwrap a single output
            out = {next(iter(self.heads)): out}
        return out

    def features(self, images, batch_size: int = 256) -> np.ndarray:
        """Penultimate-layer activations, (N, feature_units): the space FID/KID are measured in."""
        import keras

        if self._feature_model is None:
            self._feature_model = keras.Model(self.model.input, self.model.get_layer(self.FEATURE_LAYER).output)
        return _run_in_batches(self._feature_model, _as_signed_float(images), batch_size).astype("float32")

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
    def load(cls, path) -> "AttributeClassifier":
        """Load a classifier written by :meth:`save`."""
        import keras

        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        model = keras.models.load_model(path, compile=False)
        classifier = cls({n: tuple(spec) for n, spec in meta["heads"].items()}, meta["eval_size"],
                         width=meta.get("width", 32), feature_units=meta.get("feature_units", 128), model=model)
        classifier.validation_accuracy = meta.get("validation_accuracy", {})
        return classifier


def _run_in_batches(model, images: np.ndarray, batch_size: int):
    """Inference in eager batches: unlike ``model.predict`` nothing is traced, so calls with
    new sizes or on new models neither pay for tracing nor warn about retracing."""
    import keras

    outputs = [keras.tree.map_structure(keras.ops.convert_to_numpy, model(images[start : start + batch_size], training=False))
               for start in range(0, len(images), batch_size)]
    if not outputs:
        raise ValueError("no images to run the classifier on")
    return keras.tree.map_structure(lambda *parts: np.concatenate(parts), *outputs)


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
              "width": int(width), "epochs": int(epochs), "seed": int(seed), "n_images": int(len(images))}
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


def attribute_accuracy(probs, targets) -> float:
    """Categorical accuracy (argmax of (N, C) probs vs N class ids) or binary accuracy
    (probs > 0.5 vs 0/1 targets of the same shape, averaged over all entries)."""
    probs, targets = np.asarray(probs), np.asarray(targets)
    if len(probs) != len(targets) or len(targets) == 0:
        raise ValueError(f"probs and targets must be non-empty and equally long, got {len(probs)} and {len(targets)}")
    if probs.ndim == 2 and probs.shape[1] > 1 and targets.ndim == 1:
        return float((probs.argmax(axis=1) == targets).mean())
    if probs.size != targets.size:
        raise ValueError(f"binary probs {probs.shape} and targets {targets.shape} do not match")
    predicted = (probs > 0.5).reshape(targets.shape)
    return float((predicted == (targets > 0.5)).mean())


def per_class_accuracy(probs, targets, n_classes: int | None = None) -> np.ndarray:
    """Categorical accuracy per true class, shape (n_classes,); NaN for classes absent from ``targets``."""
    probs, targets = np.asarray(probs), np.asarray(targets)
    n_classes = probs.shape[1] if n_classes is None else n_classes
    predicted = probs.argmax(axis=1)
    return np.array([(predicted[targets == c] == c).mean() if (targets == c).any() else np.nan
                     for c in range(n_classes)])


def evaluate_generated(classifier: AttributeClassifier, real_images, fake_images, seed: int = 0) -> dict:
    """:func:`distance_report` in the classifier's feature space (pass >= 2x as many reals as fakes)."""
    return distance_report(classifier.features(real_images), classifier.features(fake_images), seed=seed)


# ----------------------------------------------------------------------------------------
# Shipped detectors
# ----------------------------------------------------------------------------------------


def _pil_images(images, upscale: int, value_range=(-1.0, 1.0)):
    """PIL RGB images resized (bicubic) to ``upscale`` x ``upscale``; uint8 input is used as is."""
    from PIL import Image

    array = np.asarray(images)
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"expected images of shape (N, H, W, 3), got {array.shape}")
    if array.dtype != np.uint8:
        array = to_uint8(array, value_range)
    return [Image.fromarray(a).resize((upscale, upscale), Image.Resampling.BICUBIC) for a in array]


def _rate(hits: int, total: int) -> dict:
    return {"hits": int(hits), "total": int(total), "rate": hits / total if total else 0.0}


def _rgb(colour) -> tuple[int, int, int]:
    return int(colour.r), int(colour.g), int(colour.b)


@functools.lru_cache(maxsize=1)
def _animeface_seeder():
    """``nv_srand`` of the nvxs library bundled with animeface, or None if it cannot be found.

    The detector reads hair/eye colours with a randomly initialised clustering whose generator
    state carries over between calls, so the same image gets different colours depending on
    what was detected before. Re-seeding before each image makes the colours reproducible.
    """
    import animeface

    libs = Path(animeface.__file__).resolve().parent.parent / "animeface.libs"
    for candidate in sorted(libs.glob("libnvxs*.so*")):
        try:
            seeder = ctypes.CDLL(str(candidate)).nv_srand
        except (OSError, AttributeError):
            continue
        seeder.argtypes, seeder.restype = [ctypes.c_ulong], None
        return seeder
    return None


def _animeface_best(images, upscale: int, value_range, seed: int = 0) -> list:
    """Per image, the detector's most likely face as a plain dict, or None."""
    import animeface

    seeder = _animeface_seeder()
    found = []
    for image in _pil_images(images, upscale, value_range):
        if seeder is not None:
            seeder(seed)
        faces = animeface.detect(image)
        if not faces:
            found.append(None)
            continue
        face = max(faces, key=lambda f: f.likelihood)
        box = face.face.pos
        found.append({"likelihood": float(face.likelihood), "n_faces": len(faces),
                      "box": (int(box.x), int(box.y), int(box.width), int(box.height)),
                      "hair": _rgb(face.hair.color), "skin": _rgb(face.skin.color),
                      "left_eye": _rgb(face.left_eye.color), "right_eye": _rgb(face.right_eye.color)})
    return found


def animeface_hit_rate(images, upscale: int = 128, value_range=(-1.0, 1.0), seed: int = 0) -> dict:
    """Share of images in which the ``animeface`` detector finds a face.

    Images are upscaled (bicubic) to ``upscale`` px first: the detector's smallest window is
    about 43 px. Returns ``{"hits", "total", "rate", "faces"}``; ``faces`` has one entry per
    image (see :func:`animeface_colors`). Needs Pillow < 12 (animeface 2.0.3 finds nothing with 12).
    """
    faces = _animeface_best(images, upscale, value_range, seed)
    return {**_rate(sum(face is not None for face in faces), len(faces)), "faces": faces}


def animeface_colors(images, upscale: int = 128, value_range=(-1.0, 1.0), seed: int = 0) -> list:
    """Per image, None or the most likely face's ``likelihood``, ``n_faces``, ``box`` (x, y, w, h in
    upscaled pixels) and the RGB tuples the detector reads for ``hair``, ``skin``, ``left_eye``
    and ``right_eye``.

    Whether a face is found does not depend on ``seed``; the colours do (the detector clusters
    colours from a random start, re-seeded with ``seed`` before every image).
    """
    return _animeface_best(images, upscale, value_range, seed)


def _cascade(name: str):
    import cv2

    path = Path(cv2.data.haarcascades) / name
    if not path.exists():
        raise FileNotFoundError(f"{path}: OpenCV Haar cascade missing; install opencv-python-headless<5 "
                                "(OpenCV 5 no longer ships the Haar cascades)")
    cascade = cv2.CascadeClassifier(str(path))
    if cascade.empty():
        raise RuntimeError(f"{path}: OpenCV could not load this Haar cascade")
    return cascade


def _gray(images, upscale: int, value_range) -> list[np.ndarray]:
    return [np.asarray(image.convert("L")) for image in _pil_images(images, upscale, value_range)]


def _largest_face(cascade, gray: np.ndarray, upscale: int):
    found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(upscale // 4, upscale // 4))
    return max(found, key=lambda f: f[2] * f[3]) if len(found) else None


def haar_face_rate(images, upscale: int = 256, value_range=(-1.0, 1.0)) -> dict:
    """Share of images where OpenCV's frontal-face Haar cascade finds a face (of at least a quarter
    of the image side), after a bicubic upscale to ``upscale`` px."""
    cascade = _cascade("haarcascade_frontalface_default.xml")
    hits = sum(_largest_face(cascade, gray, upscale) is not None for gray in _gray(images, upscale, value_range))
    return _rate(hits, len(images))


def haar_smile_rate(images, upscale: int = 256, value_range=(-1.0, 1.0)) -> dict:
    """Share of images where OpenCV's smile Haar cascade fires in the lower half of the face.

    The face is the largest one the frontal-face cascade finds; when it finds none, the lower
    half of the whole image is searched instead (the inputs are aligned face crops).
    ``face_found`` counts the images where the face cascade succeeded.
    """
    faces, smiles = _cascade("haarcascade_frontalface_default.xml"), _cascade("haarcascade_smile.xml")
    hits = face_found = 0
    for gray in _gray(images, upscale, value_range):
        face = _largest_face(faces, gray, upscale)
        face_found += face is not None
        x, y, w, h = face if face is not None else (0, 0, gray.shape[1], gray.shape[0])
        lower_half = gray[y + h // 2 : y + h, x : x + w]
        if len(smiles.detectMultiScale(lower_half, scaleFactor=1.5, minNeighbors=15, minSize=(w // 5, h // 10))):
            hits += 1
    return {**_rate(hits, len(images)), "face_found": int(face_found)}
