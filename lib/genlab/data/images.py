"""Decoding image files into uint8 arrays: Pillow, centre crop, Lanczos resize, an optional array cache."""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile

from genlab import paths as genlab_paths
from genlab.errors import DatasetError

CROPS = ("center", None)


def centre_square(image: Image.Image, size: int) -> np.ndarray:
    """The centred square of ``image`` resized (Lanczos) to ``size`` x ``size``, as uint8 RGB."""
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    return resized(image, size)


def resized(image: Image.Image, size: int) -> np.ndarray:
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8)


def _load_one(path: Path, size: int, crop: str | None) -> np.ndarray:
    try:
        with Image.open(path) as image:
            image.load()  # decodes now, so a truncated or corrupt file fails here
            image = image.convert("RGB")
    except FileNotFoundError:
        raise DatasetError("image not found", path) from None
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, struct.error... for bad files
        raise DatasetError(f"cannot read image ({type(error).__name__}: {error})", path) from None
    return centre_square(image, size) if crop == "center" else resized(image, size)


def _image_cache_file(paths: list[Path], size: int, crop: str | None) -> Path:
    """Cache file named by a hash of (size, crop, every path with its mtime and byte size)."""
    digest = hashlib.sha256(f"v1|{size}|{crop}|{len(paths)}".encode())
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise DatasetError("image not found", path) from None
        digest.update(f"\0{path.resolve()}\0{stat.st_mtime_ns}\0{stat.st_size}".encode())
    return genlab_paths.cache_dir() / "images" / f"{digest.hexdigest()[:32]}-{len(paths)}x{size}.npy"


def _read_cache(file: Path, expected_shape: tuple) -> np.ndarray | None:
    try:
        images = np.load(file, allow_pickle=False)
    except (OSError, ValueError):
        return None  # missing or damaged: decode again
    return images if images.dtype == np.uint8 and images.shape == expected_shape else None


def load_images(paths, image_size: int, crop: str | None = None, workers: int = 2, cache: bool = False) -> np.ndarray:
    """Decode images with Pillow into a uint8 array (N, size, size, 3).

    ``crop="center"`` cuts the centred square first (real CelebA is 178x218); images are then
    resized with Lanczos filtering. An unreadable or truncated file raises DatasetError naming
    it. With ``cache=True`` the array is kept under ``cache_dir()/images/``, keyed by the paths,
    their modification times and sizes, the size and the crop, so editing or replacing any image
    invalidates it.
    """
    if crop not in CROPS:
        raise ValueError(f"crop must be 'center' or None, not {crop!r}")
    if int(image_size) < 1:
        raise ValueError(f"image_size must be positive, not {image_size!r}")
    paths = [Path(p) for p in paths]
    shape = (len(paths), image_size, image_size, 3)
    if not paths:
        return np.zeros(shape, np.uint8)
    cache_file = _image_cache_file(paths, image_size, crop) if cache else None
    if cache_file is not None:
        cached = _read_cache(cache_file, shape)
        if cached is not None:
            return cached
    # Another library may have switched this on; truncated files must fail, not be padded grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        images = np.stack(list(pool.map(lambda p: _load_one(p, image_size, crop), paths)))
    if cache_file is not None:
        genlab_paths.write_atomically(cache_file, lambda f: np.save(f, images, allow_pickle=False))
    return images
