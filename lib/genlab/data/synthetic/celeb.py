"""Procedural photo-like faces labelled with CelebA attributes.

``render_celeb_face`` draws one face with Pillow on a canvas twice the output size and
downsamples it, so edges are antialiased. Every attribute it labels is visibly drawn (a small
classifier can learn it); ``Attractive`` is the one CelebA attribute that is never drawn and
is therefore always 0 / -1.

``write_dlcv_dataset`` and ``write_celeba_dataset`` write the faces in the real on-disk
formats of the DLCV hw4 data (``hw4_data/train/00000.png`` + ``train.csv``) and of CelebA
(``img_align_celeba/000001.jpg`` + ``list_attr_celeba.txt``), so one set of loaders reads
real and synthetic data. Writing is atomic and cached: a finished root carries a
``.complete`` marker and is returned untouched by later calls.

Randomness: image ``i`` of a dataset with seed ``s`` uses ``np.random.default_rng((s, i))``,
so results do not depend on the number of worker processes. Inside ``render_celeb_face`` the
generator is consumed identically whatever the attributes, so the same generator state
rendered with one attribute flipped gives the same face with only that attribute changed.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from genlab.data.synthetic.celeb_draw import draw_background, draw_sharp_layer, draw_soft_layer
from genlab.data.synthetic.celeb_face import Face, unit_grid
from genlab.vocab import CELEBA_ATTRIBUTES, DLCV_ATTRIBUTES


COMPLETE_MARKER = ".complete"
CANVAS_FACTOR = 2  # draw at this multiple of the output size, then downsample
DLCV_HEADER = "image_name," + ",".join(DLCV_ATTRIBUTES)

_ATTRIBUTE_INDEX = {name: i for i, name in enumerate(CELEBA_ATTRIBUTES)}


_N_UNIFORMS = 48  # random numbers drawn per face, whatever its attributes


# ----------------------------------------------------------------------------------------------
# Attribute sampling
# ----------------------------------------------------------------------------------------------

# P(hair colour group | male, young), in the order black, brown, blond, gray, other.
_HAIR_PROBABILITIES = {
    (False, True): (0.27, 0.30, 0.32, 0.01, 0.10),
    (False, False): (0.24, 0.28, 0.25, 0.15, 0.08),
    (True, True): (0.42, 0.35, 0.08, 0.02, 0.13),
    (True, False): (0.30, 0.25, 0.05, 0.30, 0.10),
}
_HAIR_GROUPS = ("Black_Hair", "Brown_Hair", "Blond_Hair", "Gray_Hair", "other")


def sample_celeb_attributes(rng: np.random.Generator) -> dict[str, bool]:
    """Sample the 40 CelebA attributes with CelebA-like frequencies and correlations.

    About 44% male, 78% young, 48% smiling; make-up and lipstick almost only on women,
    facial hair only on men; at most one hair colour (some faces have none: red hair or
    the rare grey/bald cases).
    """
    u = rng.random(40)
    a = dict.fromkeys(CELEBA_ATTRIBUTES, False)
    male = bool(u[0] < 0.44)
    young = bool(u[1] < (0.66 if male else 0.87))
    a["Male"], a["Young"] = male, young

    group = _HAIR_GROUPS[int(np.searchsorted(np.cumsum(_HAIR_PROBABILITIES[(male, young)]), u[2] * 0.999999))]
    if group != "other":
        a[group] = True

    a["Bald"] = male and bool(u[3] < (0.02 if young else 0.22))
    a["Receding_Hairline"] = not a["Bald"] and bool(u[4] < ((0.07 if young else 0.35) if male else 0.02))
    a["Bangs"] = not a["Bald"] and bool(u[5] < (0.10 if male else 0.22))
    if not a["Bald"]:
        wavy_p, straight_p = (0.15, 0.22) if male else (0.45, 0.25)
        a["Wavy_Hair"] = bool(u[6] < wavy_p)
        a["Straight_Hair"] = bool(wavy_p <= u[6] < wavy_p + straight_p)

    a["Smiling"] = bool(u[7] < 0.48)
    a["Mouth_Slightly_Open"] = bool(u[8] < (0.72 if a["Smiling"] else 0.25))
    a["High_Cheekbones"] = bool(u[9] < ((0.62 if male else 0.78) if a["Smiling"] else 0.18))
    a["Big_Lips"] = bool(u[10] < (0.17 if male else 0.30))

    a["Heavy_Makeup"] = not male and bool(u[11] < (0.68 if young else 0.50))
    if male:
        a["Wearing_Lipstick"] = bool(u[12] < 0.01)
    else:
        a["Wearing_Lipstick"] = bool(u[12] < (0.95 if a["Heavy_Makeup"] else 0.55))
    a["Arched_Eyebrows"] = bool(u[13] < (0.06 if male else 0.45))
    a["Bushy_Eyebrows"] = bool(u[14] < (0.28 if male else 0.04))
    a["Rosy_Cheeks"] = bool(u[15] < (0.01 if male else 0.11))
    a["Pale_Skin"] = bool(u[16] < (0.02 if male else 0.06))

    if male:
        a["5_o_Clock_Shadow"] = bool(u[17] < 0.25)
        a["Goatee"] = bool(u[18] < 0.16)
        a["Mustache"] = bool(u[19] < (0.5 if a["Goatee"] else 0.06))
        a["Sideburns"] = bool(u[20] < (0.3 if a["Goatee"] else 0.08))
        a["No_Beard"] = not (a["Goatee"] or a["Mustache"])
    else:
        a["No_Beard"] = True

    a["Eyeglasses"] = bool(u[22] < (0.04 if young else 0.16))
    a["Narrow_Eyes"] = bool(u[23] < 0.12)
    a["Bags_Under_Eyes"] = bool(u[24] < (0.13 if young else 0.45))
    a["Big_Nose"] = bool(u[25] < (0.40 if male else 0.10))
    a["Pointy_Nose"] = not a["Big_Nose"] and bool(u[26] < (0.18 if male else 0.40))
    a["Chubby"] = bool(u[27] < (0.04 if young else 0.16))
    a["Double_Chin"] = bool(u[28] < (0.02 if young else 0.18))
    a["Oval_Face"] = not a["Chubby"] and bool(u[29] < 0.28)
    a["Wearing_Hat"] = bool(u[30] < 0.05)
    a["Wearing_Earrings"] = bool(u[31] < (0.02 if male else 0.35))
    a["Wearing_Necklace"] = bool(u[32] < (0.01 if male else 0.22))
    a["Wearing_Necktie"] = bool(u[33] < (0.16 if male else 0.0))
    a["Blurry"] = bool(u[34] < 0.05)
    return a



def _complete_attributes(attrs: dict[str, bool]) -> dict[str, bool]:
    unknown = set(attrs) - set(_ATTRIBUTE_INDEX)
    if unknown:
        raise ValueError(f"unknown CelebA attribute(s): {', '.join(sorted(unknown))}")
    full = dict.fromkeys(CELEBA_ATTRIBUTES, False)
    full.update({k: bool(v) for k, v in attrs.items()})
    bearded = full["Goatee"] or full["Mustache"]
    if "No_Beard" in attrs and full["No_Beard"] == bearded:
        raise ValueError("No_Beard must be the opposite of (Goatee or Mustache), the beards that are drawn")
    full["No_Beard"] = not bearded
    return full


# ----------------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------------




def render_celeb_face(rng: np.random.Generator, attrs: dict[str, bool], size: int = 64) -> Image.Image:
    """Draw one photo-like face of ``size`` x ``size`` pixels showing ``attrs``.

    ``attrs`` maps CelebA attribute names to booleans; missing names count as False (and
    ``No_Beard`` is derived as "no goatee and no mustache"). At most one of Black/Blond/Brown/Gray_Hair may
    be set; with none the hair is red. The generator is consumed the same way whatever
    ``attrs`` holds, so flipping one attribute at the same generator state changes only
    that attribute's part of the picture.
    """
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    attrs = _complete_attributes(attrs)
    uniforms = rng.random(_N_UNIFORMS)
    noise = rng.standard_normal((size, size, 3), dtype=np.float32)
    width = size * CANVAS_FACTOR
    face = Face(uniforms, attrs, width)

    canvas = draw_background(face)
    draw_soft_layer(ImageDraw.Draw(canvas), face)
    canvas = canvas.filter(ImageFilter.BoxBlur(0.9 * face.k))
    draw_sharp_layer(ImageDraw.Draw(canvas), face)
    image = canvas.reduce(CANVAS_FACTOR)
    if attrs["Blurry"]:
        image = image.filter(ImageFilter.GaussianBlur(1.3 * size / 64))
    return Image.fromarray(_finish(np.asarray(image, dtype=np.float32), face, noise))


def _finish(pixels: np.ndarray, face: Face, noise: np.ndarray) -> np.ndarray:
    """Global lighting ramp, exposure, colour cast and sensor noise."""
    xx, yy = unit_grid(pixels.shape[0])
    ramp = 1.0 + face.light_strength * (face.light[0] * xx + face.light[1] * yy)
    gain = (face.brightness * face.tint).astype(np.float32)
    pixels = pixels * ramp[..., None] * gain + 2.5 * noise
    return np.clip(pixels + 0.5, 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------------
# Batches
# ----------------------------------------------------------------------------------------------


def _image_rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng((seed, index))


def attributes_vector(attrs: dict[str, bool]) -> np.ndarray:
    """The 40 attributes as float32 0/1 in ``CELEBA_ATTRIBUTES`` order."""
    return np.array([attrs[name] for name in CELEBA_ATTRIBUTES], dtype=np.float32)


def _render_indices(seed: int, indices, size: int) -> tuple[np.ndarray, np.ndarray]:
    images = np.empty((len(indices), size, size, 3), dtype=np.uint8)
    labels = np.empty((len(indices), len(CELEBA_ATTRIBUTES)), dtype=np.float32)
    for row, index in enumerate(indices):
        rng = _image_rng(seed, index)
        attrs = sample_celeb_attributes(rng)
        images[row] = np.asarray(render_celeb_face(rng, attrs, size))
        labels[row] = attributes_vector(attrs)
    return images, labels


def _chunks(indices: list[int], n_chunks: int) -> list[list[int]]:
    n_chunks = max(1, min(n_chunks, len(indices)))
    bounds = np.linspace(0, len(indices), n_chunks + 1).astype(int)
    return [indices[bounds[i]:bounds[i + 1]] for i in range(n_chunks)]


def _pool(workers: int) -> ProcessPoolExecutor:
    # "spawn": the parent may already run TensorFlow threads, which fork does not copy safely.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


# Below this many images a process pool costs more than it saves.
_MIN_IMAGES_FOR_POOL = 2000


def render_celeb_batch(n: int, seed: int, size: int = 64, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Render faces ``0..n-1`` of ``seed``: uint8 images (n, size, size, 3) and float32
    attributes (n, 40) in {0, 1}, columns in ``CELEBA_ATTRIBUTES`` order.

    The result does not depend on ``workers`` (processes used for large batches).
    """
    indices = list(range(n))
    if workers <= 1 or n < _MIN_IMAGES_FOR_POOL:
        return _render_indices(seed, indices, size)
    with _pool(workers) as pool:
        parts = list(pool.map(_render_indices, [seed] * (4 * workers), _chunks(indices, 4 * workers), [size] * (4 * workers)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


# ----------------------------------------------------------------------------------------------
# Writing datasets in the real formats
# ----------------------------------------------------------------------------------------------


def _write_images(folder: str, names: list[str], seed: int, indices: list[int], size: int) -> np.ndarray:
    """Render faces ``indices`` into ``folder/names[i]``; return their (k, 40) attributes."""
    labels = np.empty((len(indices), len(CELEBA_ATTRIBUTES)), dtype=np.float32)
    for row, (name, index) in enumerate(zip(names, indices)):
        rng = _image_rng(seed, index)
        attrs = sample_celeb_attributes(rng)
        image = render_celeb_face(rng, attrs, size)
        path = os.path.join(folder, name)
        if name.endswith(".jpg"):
            image.save(path, quality=95)
        else:
            image.save(path, compress_level=1)
        labels[row] = attributes_vector(attrs)
    return labels


def _render_to_folder(folder: Path, names: list[str], indices: list[int], seed: int, size: int, workers: int) -> np.ndarray:
    folder.mkdir(parents=True, exist_ok=True)
    if workers <= 1 or len(indices) < _MIN_IMAGES_FOR_POOL:
        return _write_images(str(folder), names, seed, indices, size)
    n_chunks = 4 * workers
    index_chunks = _chunks(indices, n_chunks)
    name_chunks = _chunks(names, n_chunks)
    with _pool(workers) as pool:
        parts = pool.map(_write_images, [str(folder)] * len(index_chunks), name_chunks, [seed] * len(index_chunks),
                         index_chunks, [size] * len(index_chunks))
        return np.concatenate(list(parts))


def _is_complete(root: Path) -> bool:
    return (root / COMPLETE_MARKER).is_file()


def _build_atomically(root: Path, build, description: dict) -> Path:
    """Run ``build(tmp_folder)`` in a temp sibling of ``root`` and rename it to ``root`` when done.

    A root that already carries the completion marker is returned untouched; a partial
    root without it (left by an older, crashed writer) is replaced.
    """
    root = Path(root)
    if _is_complete(root):
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.tmp-", dir=root.parent))
    try:
        build(tmp)
        (tmp / COMPLETE_MARKER).write_text(json.dumps(description, sort_keys=True) + "\n")
        if root.exists() and not _is_complete(root):
            shutil.rmtree(root)
        try:
            os.rename(tmp, root)
        except OSError:
            if not _is_complete(root):  # another writer won the race only if its copy is complete
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root


def _format_dlcv_row(name: str, labels: np.ndarray) -> str:
    columns = [_ATTRIBUTE_INDEX[a] for a in DLCV_ATTRIBUTES]
    return name + "," + ",".join("1.0" if labels[c] else "0.0" for c in columns)


def write_dlcv_dataset(root, n_train: int, n_test: int, seed: int = 0, workers: int = 2) -> Path:
    """Write DLCV hw4-format faces: ``root/hw4_data/{train,test}/NNNNN.png`` (64x64) and
    ``train.csv`` / ``test.csv`` with the 13 attribute columns as ``0.0``/``1.0``.

    Test images continue the numbering at ``n_train`` (the real set starts at 40000.png).
    Returns ``root``; an already complete ``root`` is returned untouched.
    """
    if n_train < 1 or n_test < 0:
        raise ValueError(f"need n_train >= 1 and n_test >= 0, got {n_train} and {n_test}")
    if n_train + n_test > 100_000:
        raise ValueError("DLCV file names have 5 digits: n_train + n_test must be at most 100000")

    def build(tmp: Path) -> None:
        data = tmp / "hw4_data"
        for split, start, count in (("train", 0, n_train), ("test", n_train, n_test)):
            indices = list(range(start, start + count))
            names = [f"{i:05d}.png" for i in indices]
            labels = _render_to_folder(data / split, names, indices, seed, 64, workers)
            rows = [DLCV_HEADER] + [_format_dlcv_row(name, row) for name, row in zip(names, labels)]
            (data / f"{split}.csv").write_text("\n".join(rows) + "\n")

    description = {"format": "dlcv-hw4", "n_train": n_train, "n_test": n_test, "seed": seed}
    return _build_atomically(Path(root), build, description)


def write_celeba_dataset(root, n: int, seed: int = 0, image_size: int = 128, workers: int = 2) -> Path:
    """Write CelebA-format faces: ``root/img_align_celeba/000001.jpg ...`` and
    ``root/list_attr_celeba.txt`` (count, the 40 names, then one ``name v1 ... v40`` line per
    image with values -1/1 aligned like the real file). Returns ``root`` (cached when complete).
    """
    if n < 1 or n > 999_999:
        raise ValueError(f"n must be between 1 and 999999 (6-digit names), got {n}")

    def build(tmp: Path) -> None:
        indices = list(range(n))
        names = [f"{i + 1:06d}.jpg" for i in indices]
        labels = _render_to_folder(tmp / "img_align_celeba", names, indices, seed, image_size, workers)
        lines = [str(n), " ".join(CELEBA_ATTRIBUTES) + " "]
        for name, row in zip(names, labels):
            lines.append(name + "".join(f" {1 if v else -1:2d}" for v in row))
        (tmp / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")

    description = {"format": "celeba", "n": n, "seed": seed, "image_size": image_size}
    return _build_atomically(Path(root), build, description)
