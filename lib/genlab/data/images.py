"""Decoding image files into uint8 arrays: Pillow, centre crop, Lanczos resize; a cache file memory-mapped for large sets."""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile

from genlab import paths as genlab_paths
from genlab.errors import DatasetError

CROPS = ("center", None)
CHUNK = 512  # images decoded per write when filling the cache


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


def _check_request(image_size: int, crop: str | None) -> None:
    if crop not in CROPS:
        raise ValueError(f"crop must be 'center' or None, not {crop!r}")
    if int(image_size) < 1:
        raise ValueError(f"image_size must be positive, not {image_size!r}")


def _open_cache(file: Path, expected_shape: tuple) -> np.ndarray | None:
    """The cached array, memory-mapped read-only, or None if it is missing, damaged or of another shape."""
    try:
        images = np.load(file, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None  # missing or damaged: decode again
    return images if images.dtype == np.uint8 and images.shape == expected_shape else None


def _write_cache(file: Path, paths: list[Path], image_size: int, crop: str | None, workers: int) -> None:
    """Decode ``paths`` in chunks (in parallel) straight into a .npy file: memory stays one chunk deep."""
    header = np.lib.format.header_data_from_array_1_0(np.empty((0, image_size, image_size, 3), np.uint8))
    header["shape"] = (len(paths), image_size, image_size, 3)
    # Another library may have switched this on; truncated files must fail, not be padded grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with genlab_paths.atomic_path(file) as tmp, open(tmp, "wb") as out, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        np.lib.format.write_array_header_1_0(out, header)
        for start in range(0, len(paths), CHUNK):
            chunk = pool.map(lambda p: _load_one(p, image_size, crop), paths[start:start + CHUNK])
            out.write(np.stack(list(chunk)).tobytes())
        out.flush()
        os.fsync(out.fileno())


def image_array(paths, image_size: int, crop: str | None = None, workers: int = 2, log=None) -> np.ndarray:
    """The decoded images as a read-only uint8 array (N, size, size, 3) memory-mapped from a cache file.

    Decoded once (Pillow, centre crop if asked, Lanczos resize; the same pixels as
    :func:`load_images`) into ``cache_dir()/images/``, keyed by every path with its modification
    time and size, the size and the crop; later calls and later notebooks map the file. The
    array is never all in memory: only the pages read are, and :func:`genlab.data.image_dataset`
    streams it in batches. ``log(message)`` is told when the cache is (re)built.
    """
    _check_request(image_size, crop)
    paths = [Path(p) for p in paths]
    shape = (len(paths), image_size, image_size, 3)
    if not paths:
        return np.zeros(shape, np.uint8)
    file = _image_cache_file(paths, image_size, crop)
    with genlab_paths.exclusive(file):  # notebooks side by side decode each set once
        images = _open_cache(file, shape)
        if images is None:
            if log is not None:
                log(f"decoding {len(paths):,} images at {image_size}x{image_size} once into {file}")
            _write_cache(file, paths, image_size, crop, workers)
            images = _open_cache(file, shape)
    return images


def load_images(paths, image_size: int, crop: str | None = None, workers: int = 2, cache: bool = False) -> np.ndarray:
    """Decode images with Pillow into an in-memory uint8 array (N, size, size, 3).

    ``crop="center"`` cuts the centred square first (real CelebA is 178x218); images are then
    resized with Lanczos filtering. An unreadable or truncated file raises DatasetError naming
    it. With ``cache=True`` the decoded array is kept as :func:`image_array` keeps it, so editing
    or replacing any image invalidates it. Datasets too large for memory: use :func:`image_array`.
    """
    if cache:
        return np.array(image_array(paths, image_size, crop, workers))
    _check_request(image_size, crop)
    paths = [Path(p) for p in paths]
    if not paths:
        return np.zeros((0, image_size, image_size, 3), np.uint8)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return np.stack(list(pool.map(lambda p: _load_one(p, image_size, crop), paths)))
