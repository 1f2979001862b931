"""Face detectors nobody here trained: ``animeface`` for anime images, OpenCV's Haar cascades for photo-like ones.

Images are float arrays (N, H, W, 3) in [-1, 1] unless a ``value_range`` says otherwise;
uint8 arrays are used as they are.
"""
from __future__ import annotations

import ctypes
import functools
from pathlib import Path

import numpy as np

from genlab.data.ranges import SIGNED, to_uint8


def _pil_images(images, upscale: int, value_range=SIGNED):
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


def animeface_hit_rate(images, upscale: int = 128, value_range=SIGNED, seed: int = 0) -> dict:
    """Share of images in which the ``animeface`` detector finds a face.

    Images are upscaled (bicubic) to ``upscale`` px first: the detector's smallest window is
    about 43 px. Returns ``{"hits", "total", "rate", "faces"}``; ``faces`` has one entry per
    image (see :func:`animeface_colors`). Needs Pillow < 12 (animeface 2.0.3 finds nothing with 12).
    """
    faces = _animeface_best(images, upscale, value_range, seed)
    return {**_rate(sum(face is not None for face in faces), len(faces)), "faces": faces}


def animeface_colors(images, upscale: int = 128, value_range=SIGNED, seed: int = 0) -> list:
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


def haar_face_rate(images, upscale: int = 256, value_range=SIGNED) -> dict:
    """Share of images where OpenCV's frontal-face Haar cascade finds a face (of at least a quarter
    of the image side), after a bicubic upscale to ``upscale`` px."""
    cascade = _cascade("haarcascade_frontalface_default.xml")
    hits = sum(_largest_face(cascade, gray, upscale) is not None for gray in _gray(images, upscale, value_range))
    return _rate(hits, len(images))


def haar_smile_rate(images, upscale: int = 256, value_range=SIGNED) -> dict:
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
