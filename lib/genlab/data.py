"""Readers for the real datasets' on-disk formats, tag parsing, and tf.data pipelines.

The same readers serve the real datasets and the embedded synthetic ones (which are written
in the same formats). Bad input raises :class:`~genlab.errors.DatasetError` naming the file
and line; rows that are legitimately unusable (e.g. two hair colours in ``tags_clean.csv``)
are dropped with a warning that counts them, never silently.
"""
from __future__ import annotations

import re
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile

from genlab.errors import DatasetError
from genlab.vocab import (
    CELEBA_ATTRIBUTES,
    DLCV_ATTRIBUTES,
    EYE_COLORS,
    HAIR_COLORS,
    NON_COLOR_EYE_TAGS,
    NON_COLOR_HAIR_TAGS,
)

ImageFile.LOAD_TRUNCATED_IMAGES = False
_ALIASES = {"blond": "blonde", "grey": "gray"}
_DATA_README = "see data/README.md for the expected layout"


# ----------------------------------------------------------------------------------------
# Tags
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnimeTags:
    """A (hair colour, eye colour) pair from the MLDS vocabulary."""

    hair: str
    eye: str

    def __post_init__(self):
        if self.hair not in HAIR_COLORS:
            raise DatasetError(f"unknown hair colour {self.hair!r}; hair colours are: {', '.join(HAIR_COLORS)}")
        if self.eye not in EYE_COLORS:
            raise DatasetError(f"unknown eye colour {self.eye!r}; eye colours are: {', '.join(EYE_COLORS)}")

    @property
    def hair_index(self) -> int:
        return HAIR_COLORS.index(self.hair)

    @property
    def eye_index(self) -> int:
        return EYE_COLORS.index(self.eye)

    @property
    def joint_index(self) -> int:
        return self.hair_index * len(EYE_COLORS) + self.eye_index

    def __str__(self) -> str:
        return f"{self.hair} hair {self.eye} eyes"

    @classmethod
    def parse(cls, text: str, path=None, line: int | None = None) -> "AnimeTags":
        """Parse ``"blue hair red eyes"`` (commas, case and extra spaces tolerated)."""
        words = re.sub(r"[,;]", " ", text).lower().split()
        found = {}
        for i, word in enumerate(words):
            if word in ("hair", "eyes", "eye") and i > 0:
                slot = "hair" if word == "hair" else "eye"
                colour = _ALIASES.get(words[i - 1], words[i - 1])
                vocabulary = HAIR_COLORS if slot == "hair" else EYE_COLORS
                if colour not in vocabulary:
                    raise DatasetError(
                        f"unknown {slot} colour {words[i - 1]!r} in {text.strip()!r}; {slot} colours are: {', '.join(vocabulary)}",
                        path, line)
                if slot in found:
                    raise DatasetError(f"two {slot} colours in {text.strip()!r}", path, line)
                found[slot] = colour
        missing = [slot for slot in ("hair", "eye") if slot not in found]
        if missing:
            raise DatasetError(
                f"{' and '.join(missing)} colour missing in {text.strip()!r}; expected '<colour> hair <colour> eyes'", path, line)
        return cls(found["hair"], found["eye"])


def read_tag_file(path) -> list[tuple[str, AnimeTags]]:
    """Read a text-to-image input file: lines ``id,<colour> hair <colour> eyes``."""
    path = Path(path)
    if not path.exists():
        raise DatasetError("tag file not found", path)
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        if "," not in raw:
            raise DatasetError(f"expected 'id,<colour> hair <colour> eyes', got {raw!r}", path, number)
        ident, text = raw.split(",", 1)
        entries.append((ident.strip(), AnimeTags.parse(text, path, number)))
    if not entries:
        raise DatasetError("tag file holds no tag lines", path)
    return entries


# ----------------------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------------------


@dataclass
class AnimeRecords:
    """Image paths with hair and eye class ids (indices into HAIR_COLORS / EYE_COLORS)."""

    paths: list
    hair: np.ndarray
    eye: np.ndarray

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def joint(self) -> np.ndarray:
        return self.hair * len(EYE_COLORS) + self.eye

    def one_hot_hair(self) -> np.ndarray:
        return np.eye(len(HAIR_COLORS), dtype="float32")[self.hair]

    def one_hot_eye(self) -> np.ndarray:
        return np.eye(len(EYE_COLORS), dtype="float32")[self.eye]

    def one_hot_joint(self) -> np.ndarray:
        return np.eye(len(HAIR_COLORS) * len(EYE_COLORS), dtype="float32")[self.joint]

    def subset(self, indices) -> "AnimeRecords":
        indices = np.asarray(indices)
        return AnimeRecords([self.paths[i] for i in indices], self.hair[indices], self.eye[indices])


@dataclass
class AttributeRecords:
    """Image paths with 0/1 attribute vectors (columns named by ``names``)."""

    paths: list
    attrs: np.ndarray
    names: tuple

    def __len__(self) -> int:
        return len(self.paths)

    def column(self, name: str) -> np.ndarray:
        if name not in self.names:
            raise KeyError(f"no attribute {name!r}; attributes are {', '.join(self.names)}")
        return self.attrs[:, self.names.index(name)]

    def select(self, names) -> "AttributeRecords":
        columns = np.stack([self.column(n) for n in names], axis=1)
        return AttributeRecords(list(self.paths), columns.astype("float32"), tuple(names))

    def subset(self, indices) -> "AttributeRecords":
        indices = np.asarray(indices)
        return AttributeRecords([self.paths[i] for i in indices], self.attrs[indices], self.names)


# ----------------------------------------------------------------------------------------
# Folder and file checks
# ----------------------------------------------------------------------------------------


def _require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise DatasetError(f"{what} folder not found; {_DATA_README}", path)
    return path


def _require_images(folder: Path) -> Path:
    _require_dir(folder, "image")
    if not any(folder.iterdir()):
        raise DatasetError("image folder is empty", folder)
    return folder


def _require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise DatasetError(f"{what} not found; {_DATA_README}", path)
    return path


def _check_images_exist(paths: list[Path], rows: list[int], table: Path) -> None:
    missing = [(p, r) for p, r in zip(paths, rows) if not p.exists()]
    if missing:
        first, line = missing[0]
        more = f" ({len(missing)} rows name missing images in all)" if len(missing) > 1 else ""
        raise DatasetError(f"names image {first}, which does not exist{more}", table, line)


# ----------------------------------------------------------------------------------------
# MLDS anime
# ----------------------------------------------------------------------------------------


def _colour_tags(tag_names: list[str]) -> tuple[list[str], list[str]]:
    hair, eyes = [], []
    for tag in tag_names:
        words = tag.lower().split()
        if len(words) == 2 and words[1] == "hair" and words[0] not in NON_COLOR_HAIR_TAGS:
            colour = _ALIASES.get(words[0], words[0])
            if colour in HAIR_COLORS:
                hair.append(colour)
        elif len(words) == 2 and words[1] in ("eyes", "eye") and words[0] not in NON_COLOR_EYE_TAGS:
            colour = _ALIASES.get(words[0], words[0])
            if colour in EYE_COLORS:
                eyes.append(colour)
    return sorted(set(hair)), sorted(set(eyes))


def read_tags_clean(root) -> AnimeRecords:
    """MLDS ``tags_clean.csv`` (``id,tag:count<TAB>tag:count...``) with images in ``faces/``.

    Keeps images with exactly one hair colour and one eye colour; the rest are dropped with a
    warning that counts each reason.
    """
    root = _require_dir(Path(root), "MLDS dataset")
    table = _require_file(root / "tags_clean.csv", "tags_clean.csv")
    faces = _require_images(root / "faces")
    paths, hair, eye, rows = [], [], [], []
    dropped = Counter()
    for number, raw in enumerate(table.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        if "," not in raw:
            raise DatasetError("expected 'id,tag:count<TAB>...'", table, number)
        ident, rest = raw.split(",", 1)
        names = []
        for item in filter(None, (t.strip() for t in rest.split("\t"))):
            tag, sep, count = item.rpartition(":")
            if not sep or not tag:
                raise DatasetError(f"tag {item!r} has no ':count'", table, number)
            if not count.strip().isdigit():
                raise DatasetError(f"tag {item!r} has a count that is not an integer", table, number)
            names.append(tag)
        hairs, eyes = _colour_tags(names)
        if len(hairs) != 1 or len(eyes) != 1:
            reason = (f"{len(hairs) if len(hairs) < 2 else 'several'} hair colours" if len(hairs) != 1
                      else f"{len(eyes) if len(eyes) < 2 else 'several'} eye colours")
            dropped[reason] += 1
            continue
        paths.append(faces / f"{ident.strip()}.jpg")
        hair.append(HAIR_COLORS.index(hairs[0]))
        eye.append(EYE_COLORS.index(eyes[0]))
        rows.append(number)
    if dropped:
        detail = ", ".join(f"{n} with {reason}" for reason, n in sorted(dropped.items()))
        warnings.warn(f"{table}: dropped {sum(dropped.values())} rows without exactly one hair and one eye colour ({detail})",
                      stacklevel=2)
    if not paths:
        raise DatasetError("no row has exactly one hair colour and one eye colour", table)
    _check_images_exist(paths, rows, table)
    return AnimeRecords(paths, np.asarray(hair), np.asarray(eye))


def read_extra_tags(root) -> AnimeRecords:
    """MLDS ``extra_data/tags.csv`` (``id,aqua hair aqua eyes``) with images in ``extra_data/images/``."""
    root = _require_dir(Path(root), "MLDS dataset")
    table = _require_file(root / "extra_data" / "tags.csv", "extra_data/tags.csv")
    images = _require_images(root / "extra_data" / "images")
    paths, hair, eye, rows = [], [], [], []
    for number, raw in enumerate(table.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        if "," not in raw:
            raise DatasetError("expected 'id,<colour> hair <colour> eyes'", table, number)
        ident, text = raw.split(",", 1)
        tags = AnimeTags.parse(text, table, number)
        paths.append(images / f"{ident.strip()}.jpg")
        hair.append(tags.hair_index)
        eye.append(tags.eye_index)
        rows.append(number)
    if not paths:
        raise DatasetError("no rows", table)
    _check_images_exist(paths, rows, table)
    return AnimeRecords(paths, np.asarray(hair), np.asarray(eye))


def load_mlds(root, source: str = "extra") -> AnimeRecords:
    """MLDS anime records from ``extra`` (extra_data), ``faces`` (tags_clean) or ``both``."""
    if source == "extra":
        return read_extra_tags(root)
    if source == "faces":
        return read_tags_clean(root)
    if source == "both":
        a, b = read_extra_tags(root), read_tags_clean(root)
        return AnimeRecords(a.paths + b.paths, np.concatenate([a.hair, b.hair]), np.concatenate([a.eye, b.eye]))
    raise ValueError(f"unknown MLDS source {source!r}; use 'extra', 'faces' or 'both'")


# ----------------------------------------------------------------------------------------
# DLCV hw4 and CelebA
# ----------------------------------------------------------------------------------------


def _binary_value(text: str, table: Path, line: int, column: str, allowed: dict) -> float:
    value = allowed.get(text.strip())
    if value is None:
        raise DatasetError(f"column {column}: value {text.strip()!r} is not one of {', '.join(allowed)}", table, line)
    return value


def read_dlcv_split(root, split: str = "train") -> AttributeRecords:
    """DLCV hw4 ``hw4_data/<split>.csv`` (header ``image_name,Bangs,...``) with images in ``hw4_data/<split>/``."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    root = _require_dir(Path(root), "DLCV dataset")
    base = _require_dir(root / "hw4_data", "hw4_data")
    table = _require_file(base / f"{split}.csv", f"hw4_data/{split}.csv")
    images = _require_images(base / split)
    lines = table.read_text(encoding="utf-8").splitlines()
    expected = ",".join(("image_name",) + DLCV_ATTRIBUTES)
    if not lines or lines[0].strip() != expected:
        raise DatasetError(f"wrong header {lines[0].strip() if lines else ''!r}; expected {expected!r}", table, 1)
    allowed = {"0.0": 0.0, "1.0": 1.0, "0": 0.0, "1": 1.0}
    paths, attrs, rows = [], [], []
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cells = raw.split(",")
        if len(cells) != len(DLCV_ATTRIBUTES) + 1:
            raise DatasetError(f"expected {len(DLCV_ATTRIBUTES) + 1} columns, found {len(cells)}", table, number)
        paths.append(images / cells[0].strip())
        attrs.append([_binary_value(v, table, number, c, allowed) for v, c in zip(cells[1:], DLCV_ATTRIBUTES)])
        rows.append(number)
    if not paths:
        raise DatasetError("no rows", table)
    _check_images_exist(paths, rows, table)
    records = AttributeRecords(paths, np.asarray(attrs, dtype="float32"), DLCV_ATTRIBUTES)
    hair_count = records.select(("Black_Hair", "Blond_Hair", "Brown_Hair")).attrs.sum(axis=1)
    none, several = int((hair_count == 0).sum()), int((hair_count > 1).sum())
    if none or several:
        warnings.warn(f"{table}: {none} rows have no hair colour and {several} have two or more (kept, as in the real data)",
                      stacklevel=2)
    return records


def read_celeba_attributes(root) -> AttributeRecords:
    """CelebA ``list_attr_celeba.txt`` (count, 40 names, then ``name v1 ... v40`` in -1/1) with ``img_align_celeba/``."""
    root = _require_dir(Path(root), "CelebA dataset")
    table = _require_file(root / "list_attr_celeba.txt", "list_attr_celeba.txt")
    images = _require_images(root / "img_align_celeba")
    lines = table.read_text(encoding="utf-8").splitlines()
    if len(lines) < 2 or not lines[0].strip().isdigit():
        raise DatasetError("line 1 must hold the number of images", table, 1)
    names = tuple(lines[1].split())
    if len(names) != len(CELEBA_ATTRIBUTES) or set(names) != set(CELEBA_ATTRIBUTES):
        raise DatasetError(f"line 2 must name the 40 CelebA attributes, found {len(names)} names", table, 2)
    allowed = {"-1": 0.0, "1": 1.0}
    paths, attrs, rows = [], [], []
    for number, raw in enumerate(lines[2:], start=3):
        cells = raw.split()
        if not cells:
            continue
        if len(cells) != len(names) + 1:
            raise DatasetError(f"expected an image name and {len(names)} values, found {len(cells) - 1} values", table, number)
        paths.append(images / cells[0])
        attrs.append([_binary_value(v, table, number, c, allowed) for v, c in zip(cells[1:], names)])
        rows.append(number)
    declared = int(lines[0].strip())
    if declared != len(paths):
        raise DatasetError(f"line 1 declares {declared} images but the file lists {len(paths)}", table, 1)
    _check_images_exist(paths, rows, table)
    return AttributeRecords(paths, np.asarray(attrs, dtype="float32"), names)


# ----------------------------------------------------------------------------------------
# Images and tf.data
# ----------------------------------------------------------------------------------------


def _load_one(path: Path, size: int, crop: str | None) -> np.ndarray:
    try:
        with Image.open(path) as image:
            image.load()
            image = image.convert("RGB")
    except (OSError, SyntaxError, ValueError) as error:
        raise DatasetError(f"cannot read image ({error})", path) from None
    if crop == "center":
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side))
    elif crop is not None:
        raise ValueError(f"crop must be 'center' or None, not {crop!r}")
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8)


def load_images(paths, image_size: int, crop: str | None = None, workers: int = 2) -> np.ndarray:
    """Decode images into a uint8 array (N, size, size, 3); ``crop="center"`` squares them first.

    An unreadable or truncated file raises DatasetError naming it.
    """
    paths = [Path(p) for p in paths]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        arrays = list(pool.map(lambda p: _load_one(p, image_size, crop), paths))
    if not arrays:
        return np.zeros((0, image_size, image_size, 3), np.uint8)
    return np.stack(arrays)


def image_dataset(images, labels=None, batch_size: int = 64, value_range=(-1.0, 1.0), shuffle: bool = True, seed: int = 0,
                  drop_remainder: bool = True, repeat: bool = False):
    """A tf.data pipeline over in-memory uint8 images (and labels): shuffle, batch, scale, prefetch.

    Shuffling is seeded, so the batch order is the same on every run (which exact resume
    relies on). Images are scaled to ``value_range`` after batching.
    """
    import tensorflow as tf

    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError("image_dataset expects uint8 images; scale with value_range instead")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if drop_remainder and len(images) < batch_size:
        raise ValueError(f"only {len(images)} images for batches of {batch_size}; render or load more images")
    elements = images if labels is None else (images, np.asarray(labels, dtype="float32"))
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    low, high = value_range
    scale = lambda x: tf.cast(x, tf.float32) * ((high - low) / 255.0) + low  # noqa: E731
    if labels is None:
        dataset = dataset.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(lambda x, y: (scale(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def split_indices(n: int, test_fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random (train, test) index split."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])
