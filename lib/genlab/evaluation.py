"""Measuring generated images without downloaded weights.

- Feature-space distances (Frechet, kernel/KID) on the penultimate features of an
  :class:`AttributeClassifier` that the suite trains on the dataset's own labels; every value
  comes with the real-vs-real floor.
- Conditional accuracy of generated images by the same classifier.
- Face hit rates with independent, shipped detectors: ``animeface`` for anime images and
  OpenCV's Haar face/smile cascades for photo-like images.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from scipy import linalg

from genlab import paths


def to_uint8(images, value_range=(-1.0, 1.0)) -> np.ndarray:
    low, high = value_range
    scaled = (np.asarray(images, dtype="float32") - low) / (high - low)
    return np.clip(np.round(scaled * 255.0), 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------
# Distances
# ----------------------------------------------------------------------------------------


def frechet_distance(features_a, features_b, eps: float = 1e-6) -> float:
    """Frechet distance between Gaussians fitted to two (N, D) feature sets (the FID formula)."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    covmean, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(cov_a.shape[0]) * eps
        covmean = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    covmean = np.real(covmean)
    diff = mu_a - mu_b
    return float(max(0.0, diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(covmean)))


def _mmd2_unbiased(x, y) -> float:
    d = x.shape[1]
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    m, n = len(x), len(y)
    return float((k_xx.sum() - np.trace(k_xx)) / (m * (m - 1)) + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
                 - 2.0 * k_xy.mean())


def kernel_distance(features_a, features_b, n_subsets: int = 10, subset_size: int | None = None, seed: int = 0):
    """Kernel (KID) distance: unbiased MMD^2 with the cubic polynomial kernel, (mean, std) over subsets."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    # Subsets of half the smaller set by default, so their spread (the std) means something.
    size = min(subset_size or 1000, len(a), len(b)) if subset_size else max(2, min(1000, len(a) // 2, len(b) // 2))
    rng = np.random.default_rng(seed)
    values = [_mmd2_unbiased(a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)])
              for _ in range(n_subsets)]
    return float(np.mean(values)), float(np.std(values))


def real_floor(features_real, seed: int = 0) -> dict:
    """FID and KID between two random halves of the real features: the best a model can hope for."""
    order = np.random.default_rng(seed).permutation(len(features_real))
    half = len(order) // 2
    a, b = features_real[order[:half]], features_real[order[half : 2 * half]]
    return {"fid": frechet_distance(a, b), "kid": kernel_distance(a, b, seed=seed)[0]}


def distance_report(features_real, features_fake, seed: int = 0) -> dict:
    """FID/KID of fakes against reals, with the floor measured on real sets of the same size."""
    real, fake = np.asarray(features_real), np.asarray(features_fake)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(real))
    size = min(len(fake), len(real) // 2) if len(real) >= 2 * len(fake) else len(real) // 2
    real_a, real_b = real[order[:size]], real[order[size : 2 * size]]
    fake = fake[:size] if len(fake) > size else fake
    kid, kid_std = kernel_distance(real_a, fake, seed=seed)
    return {
        "fid": frechet_distance(real_a, fake),
        "kid": kid,
        "kid_std": kid_std,
        "fid_floor": frechet_distance(real_a, real_b),
        "kid_floor": kernel_distance(real_a, real_b, seed=seed)[0],
        "n": int(len(fake)),
    }


# ----------------------------------------------------------------------------------------
# The evaluation classifier
# ----------------------------------------------------------------------------------------


class AttributeClassifier:
    """A small CNN trained on a dataset's labels; its penultimate layer is the feature space.

    ``heads`` maps a name to ``("categorical", n_classes)`` (integer labels) or
    ``("binary", n_attributes)`` (0/1 label vectors). Inputs are float images in [-1, 1] of any
    size; they are resized to ``eval_size`` inside the network.
    """

    def __init__(self, heads: dict, eval_size: int = 32, width: int = 32, model=None):
        self.heads = {name: (kind, int(n)) for name, (kind, n) in heads.items()}
        self.eval_size = eval_size
        self.validation_accuracy: dict = {}
        self.model = model or self._build(width)
        self._feature_model = None

    def _build(self, width: int):
        import keras
        from keras import layers

        x = keras.Input((None, None, 3))
        h = layers.Resizing(self.eval_size, self.eval_size, antialias=True)(x)
        for i, filters in enumerate((width, 2 * width, 4 * width)):
            h = layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
            h = layers.BatchNormalization()(h)
            h = layers.ReLU()(h)
            h = layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False)(h)
            h = layers.BatchNormalization()(h)
            h = layers.ReLU()(h)
        h = layers.GlobalAveragePooling2D()(h)
        features = layers.Dense(128, activation="relu", name="features")(h)
        outputs = {}
        for name, (kind, n) in self.heads.items():
            if kind not in ("categorical", "binary"):
                raise ValueError(f"head {name!r}: kind must be 'categorical' or 'binary', not {kind!r}")
            outputs[name] = layers.Dense(n, activation="softmax" if kind == "categorical" else "sigmoid",
                                         dtype="float32", name=name)(features)
        return keras.Model(x, outputs, name="attribute_classifier")

    def fit(self, images, labels: dict, epochs: int = 8, batch_size: int = 64, validation_split: float = 0.1, seed: int = 0):
        import keras

        keras.utils.set_random_seed(seed)
        losses = {n: "sparse_categorical_crossentropy" if k == "categorical" else "binary_crossentropy"
                  for n, (k, _) in self.heads.items()}
        metrics = {n: ["sparse_categorical_accuracy"] if k == "categorical" else ["binary_accuracy"]
                   for n, (k, _) in self.heads.items()}
        self.model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=losses, metrics=metrics)
        order = np.random.default_rng(seed).permutation(len(images))
        images = np.asarray(images, dtype="float32")[order]
        targets = {n: np.asarray(labels[n])[order].astype("int32" if k == "categorical" else "float32")
                   for n, (k, _) in self.heads.items()}
        history = self.model.fit(images, targets, epochs=epochs, batch_size=batch_size,
                                 validation_split=validation_split, verbose=0)
        for name, (kind, _) in self.heads.items():
            metric = "sparse_categorical_accuracy" if kind == "categorical" else "binary_accuracy"
            key = next((k for k in history.history if k.startswith("val_") and name in k and metric in k), None)
            if key is None and len(self.heads) == 1:
                key = f"val_{metric}"
            if key in history.history:
                self.validation_accuracy[name] = float(history.history[key][-1])
        return self

    def predict(self, images, batch_size: int = 256) -> dict:
        out = self.model.predict(np.asarray(images, dtype="float32"), batch_size=batch_size, verbose=0)
        return {name: np.asarray(v) for name, v in out.items()}

    def features(self, images, batch_size: int = 256) -> np.ndarray:
        import keras

        if self._feature_model is None:
            self._feature_model = keras.Model(self.model.inputs, self.model.get_layer("features").output)
        return np.asarray(self._feature_model.predict(np.asarray(images, dtype="float32"), batch_size=batch_size, verbose=0))

    def save(self, path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}.keras")
        self.model.save(tmp)
        os.replace(tmp, path)
        meta = {"heads": self.heads, "eval_size": self.eval_size, "validation_accuracy": self.validation_accuracy}
        meta_tmp = path.with_suffix(f".json.tmp{os.getpid()}")
        meta_tmp.write_text(json.dumps(meta, indent=2))
        os.replace(meta_tmp, path.with_suffix(".json"))

    @classmethod
    def load(cls, path) -> "AttributeClassifier":
        import keras

        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        classifier = cls({k: tuple(v) for k, v in meta["heads"].items()}, meta["eval_size"], model=keras.models.load_model(path))
        classifier.validation_accuracy = meta.get("validation_accuracy", {})
        return classifier


def get_attribute_classifier(cache_key: str, images, labels: dict, heads: dict, epochs: int = 8, seed: int = 0,
                             eval_size: int = 32) -> AttributeClassifier:
    """Train the evaluation classifier once per ``cache_key``; later calls load it from the cache."""
    path = paths.cache_dir() / "classifiers" / f"{cache_key}.keras"
    if path.exists() and path.with_suffix(".json").exists():
        return AttributeClassifier.load(path)
    classifier = AttributeClassifier(heads, eval_size=eval_size).fit(images, labels, epochs=epochs, seed=seed)
    classifier.save(path)
    return classifier


def attribute_accuracy(probs, targets) -> float:
    """Categorical accuracy (argmax vs class ids) or binary accuracy (p > 0.5 vs 0/1 targets)."""
    probs, targets = np.asarray(probs), np.asarray(targets)
    if probs.ndim == 2 and probs.shape[1] > 1 and targets.ndim == 1:
        return float((probs.argmax(axis=1) == targets).mean())
    return float(((probs > 0.5).astype(int).reshape(targets.shape) == targets.astype(int)).mean())


def per_class_accuracy(probs, targets, n_classes: int) -> np.ndarray:
    """Accuracy per true class (NaN for classes absent from ``targets``)."""
    predicted = np.asarray(probs).argmax(axis=1)
    targets = np.asarray(targets)
    return np.array([(predicted[targets == c] == c).mean() if (targets == c).any() else np.nan for c in range(n_classes)])


def evaluate_generated(classifier: AttributeClassifier, real_images, fake_images, seed: int = 0) -> dict:
    """Frechet and kernel distances (with floors) in the classifier's feature space."""
    return distance_report(classifier.features(real_images), classifier.features(fake_images), seed=seed)


# ----------------------------------------------------------------------------------------
# Shipped detectors
# ----------------------------------------------------------------------------------------


def _pil_images(images, upscale: int, value_range=(-1.0, 1.0)):
    from PIL import Image

    array = np.asarray(images)
    if array.dtype != np.uint8:
        array = to_uint8(array, value_range)
    return [Image.fromarray(a).resize((upscale, upscale), Image.Resampling.BICUBIC) for a in array]


def animeface_hit_rate(images, upscale: int = 128, value_range=(-1.0, 1.0)) -> dict:
    """Share of images in which the ``animeface`` detector finds a face (images upscaled first)."""
    import animeface

    hits = sum(1 for image in _pil_images(images, upscale, value_range) if animeface.detect(image))
    return {"hits": int(hits), "total": len(images), "rate": hits / max(1, len(images))}


def animeface_colors(images, upscale: int = 128, value_range=(-1.0, 1.0)) -> list:
    """Hair and eye RGB colours the detector reads off its most likely face (None when no face)."""
    import animeface

    found = []
    for image in _pil_images(images, upscale, value_range):
        faces = animeface.detect(image)
        if not faces:
            found.append(None)
            continue
        face = max(faces, key=lambda f: f.likelihood)
        colour = lambda c: (c.r, c.g, c.b)  # noqa: E731
        found.append({"likelihood": float(face.likelihood), "hair": colour(face.hair.color),
                      "left_eye": colour(face.left_eye.color), "right_eye": colour(face.right_eye.color)})
    return found


def _cascade(name: str):
    import cv2

    path = Path(cv2.data.haarcascades) / name
    if not path.exists():
        raise FileNotFoundError(f"{path}: OpenCV Haar cascade missing; install opencv-python-headless<5")
    return cv2.CascadeClassifier(str(path))


def _gray(images, upscale: int, value_range):
    return [np.asarray(image.convert("L")) for image in _pil_images(images, upscale, value_range)]


def haar_face_rate(images, upscale: int = 256, value_range=(-1.0, 1.0)) -> dict:
    """Share of images where OpenCV's frontal-face cascade finds a face."""
    cascade = _cascade("haarcascade_frontalface_default.xml")
    hits = sum(1 for g in _gray(images, upscale, value_range) if len(cascade.detectMultiScale(g, 1.1, 4, minSize=(upscale // 4,) * 2)))
    return {"hits": int(hits), "total": len(images), "rate": hits / max(1, len(images))}


def haar_smile_rate(images, upscale: int = 256, value_range=(-1.0, 1.0)) -> dict:
    """Share of images where OpenCV's smile cascade fires in the lower half of the face.

    The face comes from the frontal-face cascade; when none is found, the lower half of the
    whole image is searched (the images are aligned face crops).
    """
    faces, smiles = _cascade("haarcascade_frontalface_default.xml"), _cascade("haarcascade_smile.xml")
    hits = 0
    for g in _gray(images, upscale, value_range):
        found = faces.detectMultiScale(g, 1.1, 4, minSize=(upscale // 4,) * 2)
        x, y, w, h = max(found, key=lambda f: f[2] * f[3]) if len(found) else (0, 0, g.shape[1], g.shape[0])
        lower = g[y + h // 2 : y + h, x : x + w]
        if len(smiles.detectMultiScale(lower, 1.5, 15, minSize=(w // 5, h // 10))):
            hits += 1
    return {"hits": int(hits), "total": len(images), "rate": hits / max(1, len(images))}
