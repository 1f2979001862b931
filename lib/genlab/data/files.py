"""Checks shared by the dataset readers: folders, files and text lines, each failure naming the path."""
from __future__ import annotations

import os
from pathlib import Path

from genlab.errors import DatasetError

DATA_README = "see data/README.md for the expected layout"


def read_lines(path: Path) -> list[str]:
    """Lines of a UTF-8 text file (a byte-order mark is dropped); undecodable bytes name the line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DatasetError(f"not UTF-8 text ({error.reason} at byte {error.start})", path, line) from None
    return text.splitlines()


def require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise DatasetError(f"{what} folder not found; {DATA_README}", path)
    return path


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise DatasetError(f"{what} not found; {DATA_README}", path)
    return path


def require_images(folder: Path) -> set[str]:
    """Check the image folder exists and is not empty; return the names of the files in it."""
    require_dir(folder, "image")
    names = set(os.listdir(folder))
    if not names:
        raise DatasetError(f"image folder is empty; {DATA_README}", folder)
    return names


def existing_images(folder: Path, available: set[str], names: list[str], rows: list[int], table: Path) -> list[Path]:
    """``folder / name`` for every listed name; the first one missing is a DatasetError naming its row."""
    missing = [(name, row) for name, row in zip(names, rows) if name not in available]
    if missing:
        name, row = missing[0]
        more = f" ({len(missing)} of {len(names)} rows name missing images)" if len(missing) > 1 else ""
        raise DatasetError(f"names image {folder / name}, which does not exist{more}", table, row)
    return [folder / name for name in names]


def split_row(raw: str, expected: str, table: Path, number: int) -> tuple[str, str]:
    """``id, rest`` of a CSV-like line, or a DatasetError quoting the line and the expected form."""
    if "," not in raw:
        raise DatasetError(f"expected {expected!r}, got {raw.strip()[:60]!r}", table, number)
    ident, rest = raw.split(",", 1)
    return ident.strip(), rest
