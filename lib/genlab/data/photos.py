"""The user's own photos for style transfer: read a folder, crop and resize like the training data.

    images, names = load_photo_folder("my_photos", image_size=128)

Any size and any format Pillow reads (JPEG, PNG, BMP, GIF, TIFF, WebP ...). Each photo is
turned upright by its EXIF orientation (phone photos), flattened onto white if it has
transparency, centre-cropped to a square and resized with Lanczos: the same crop and resize
as the CelebA loader (``load_images(..., crop="center")``).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from genlab.data.images import centre_square
from genlab.errors import DatasetError, DataWarning

ASTRONAUT_FACE_BOX = (130, 0, 330, 200)  # (left, top, right, bottom) of the face in skimage's 512x512 astronaut


def prepare_photo(image: Image.Image, image_size: int) -> np.ndarray:
    """One photo as uint8 (image_size, image_size, 3): upright, RGB, centre square, resized."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    return centre_square(image.convert("RGB"), image_size)


def load_photo_folder(folder, image_size: int) -> tuple[np.ndarray, list[str]]:
    """All readable photos in ``folder`` (sorted by name) as uint8 (N, size, size, 3), with their file names.

    Files that are not readable images are skipped with one warning naming each of them.
    A missing folder, or one without a single readable photo, raises DatasetError.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DatasetError("photo folder not found; put your photos in it, or leave photos_dir empty for the default set",
                           folder)
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
                      DataWarning, stacklevel=2)
    if not images:
        found = f"{len(candidates)} file(s), none a readable image" if candidates else "it is empty"
        raise DatasetError(f"no readable photo in the folder ({found}); add JPEG or PNG photos", folder)
    return np.stack(images), names


def default_photos(dest, held_out_faces: np.ndarray | None = None) -> Path:
    """Write the offline default photo set into ``dest`` and return it.

    The set is the face of the astronaut photo that scikit-image ships (a real photo, unlike
    the training data) plus ``held_out_faces`` (uint8 images the model never trained on),
    saved as ``held_out_<i>.png``.
    """
    from skimage import data as skimage_data

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    Image.fromarray(skimage_data.astronaut()).crop(ASTRONAUT_FACE_BOX).save(dest / "astronaut.png")
    for i, face in enumerate([] if held_out_faces is None else held_out_faces):
        Image.fromarray(np.asarray(face, dtype=np.uint8)).save(dest / f"held_out_{i}.png")
    return dest
