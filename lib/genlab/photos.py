"""The user's own photos for style transfer: read a folder, crop and resize like the training data."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from genlab.errors import DatasetError

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def prepare_photo(image: Image.Image, image_size: int) -> np.ndarray:
    """Centre-crop to a square and resize with antialiasing, as the CelebA loader does."""
    image = image.convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return np.asarray(image.resize((image_size, image_size), Image.Resampling.LANCZOS), dtype=np.uint8)


def load_photo_folder(folder, image_size: int) -> tuple[np.ndarray, list[str]]:
    """All readable photos in ``folder`` as uint8 (N, size, size, 3) with their file names.

    Files that cannot be read are reported in a warning naming each and skipped; a missing
    folder, or one without a usable photo, raises DatasetError.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError("photo folder not found; put your photos there or leave photos_dir empty for the defaults", folder)
    candidates = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    images, names, unreadable = [], [], []
    for path in candidates:
        try:
            with Image.open(path) as image:
                image.load()
                images.append(prepare_photo(image, image_size))
                names.append(path.name)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            unreadable.append(path.name)
    if unreadable:
        warnings.warn(f"{folder}: skipped {len(unreadable)} file(s) that are not readable images: {', '.join(unreadable)}",
                      stacklevel=2)
    if not images:
        raise DatasetError(f"no readable photo in the folder (looked for {', '.join(PHOTO_SUFFIXES)})", folder)
    return np.stack(images), names


def default_photos(dest, held_out_faces: np.ndarray | None = None) -> Path:
    """Write the offline default photo set: the astronaut photo scikit-image ships, plus held-out faces."""
    from skimage import data as skdata

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    astronaut = Image.fromarray(skdata.astronaut())
    astronaut.crop((130, 0, 330, 200)).save(dest / "astronaut.png")  # the face region of the 512x512 photo
    for i, face in enumerate(held_out_faces if held_out_faces is not None else []):
        Image.fromarray(np.asarray(face, dtype=np.uint8)).save(dest / f"held_out_{i}.png")
    return dest
