"""Procedural anime-style faces labelled with the MLDS hair/eye vocabulary.

Faces are drawn with Pillow at twice the output size and downsampled with antialiasing.
What the ``animeface`` detector needs to see a face (large eyes at mid-height and well
apart, a thick upper lash line, hair behind the head, spiky bangs) is always drawn; the rest
varies: hair length and style, face shape, skin tone, blush, mouth, background, position,
scale and a small rotation. Image ``i`` of a batch comes from ``default_rng((seed, i))``, so
results do not depend on the number of worker processes.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from genlab.vocab import EYE_COLORS, HAIR_COLORS

HAIR_PALETTE = {
    "orange": (240, 130, 30), "white": (238, 238, 242), "aqua": (60, 215, 205), "gray": (135, 135, 140),
    "green": (45, 165, 60), "red": (205, 30, 40), "purple": (135, 55, 185), "pink": (248, 140, 190),
    "blue": (40, 75, 215), "black": (28, 26, 32), "brown": (115, 68, 35), "blonde": (248, 218, 105),
}
EYE_PALETTE = {
    "black": (22, 20, 24), "orange": (240, 125, 20), "pink": (240, 115, 175), "yellow": (235, 215, 35),
    "aqua": (45, 215, 205), "purple": (135, 55, 195), "green": (40, 165, 60), "brown": (115, 68, 30),
    "red": (205, 20, 30), "blue": (40, 75, 225), "gray": (135, 135, 145),
}
SKIN_TONES = ((255, 228, 210), (250, 215, 190), (255, 235, 220), (240, 200, 170), (250, 222, 200))
COMPLETE_MARKER = ".complete"
_POOL_THRESHOLD = 2000


def _jitter(rng, colour, amount=12):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in colour)


def _shade(colour, factor):
    return tuple(int(np.clip(c * factor, 0, 255)) for c in colour)


def _background(rng, size):
    top = tuple(int(v) for v in rng.integers(120, 256, 3))
    bottom = _shade(top, rng.uniform(0.7, 1.0))
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    pixels = (1 - ramp) * np.array(top, np.float32) + ramp * np.array(bottom, np.float32)
    return Image.fromarray(np.repeat(pixels, size, axis=1).astype(np.uint8))


def render_anime_face(rng: np.random.Generator, hair: str, eye: str, size: int = 64) -> Image.Image:
    """One anime-style face with the given hair and eye colour (RGB, ``size`` x ``size``)."""
    if hair not in HAIR_PALETTE:
        raise ValueError(f"unknown hair colour {hair!r}; hair colours are: {', '.join(HAIR_COLORS)}")
    if eye not in EYE_PALETTE:
        raise ValueError(f"unknown eye colour {eye!r}; eye colours are: {', '.join(EYE_COLORS)}")
    S = 2 * size  # drawing canvas
    u = S / 128.0  # unit: the geometry below is written for a 128 px canvas
    canvas = _background(rng, S)
    draw = ImageDraw.Draw(canvas)
    hair_rgb = _jitter(rng, HAIR_PALETTE[hair])
    hair_dark = _shade(hair_rgb, 0.7)
    eye_rgb = _jitter(rng, EYE_PALETTE[eye], 8)
    skin = _jitter(rng, SKIN_TONES[rng.integers(len(SKIN_TONES))], 6)

    cx = S / 2 + rng.uniform(-4, 4) * u
    cy = S / 2 + rng.uniform(-2, 5) * u
    scale = rng.uniform(0.92, 1.06)
    fw, fh = 36 * u * scale * rng.uniform(0.93, 1.07), 42 * u * scale * rng.uniform(0.95, 1.05)
    long_hair = rng.random() < 0.6

    # Hair mass behind the head (long hair falls to the shoulders or beyond).
    back_bottom = cy + (fh * rng.uniform(1.3, 1.9) if long_hair else fh * rng.uniform(0.5, 0.8))
    draw.ellipse([cx - fw * 1.35, cy - fh * 1.35, cx + fw * 1.35, cy + fh * 0.9], fill=hair_rgb)
    draw.rectangle([cx - fw * 1.3, cy - fh * 0.2, cx + fw * 1.3, back_bottom], fill=hair_rgb)
    if rng.random() < 0.25:  # twin tails
        for side in (-1, 1):
            tx = cx + side * fw * 1.55
            draw.ellipse([tx - 12 * u, cy - fh * 0.3, tx + 12 * u, back_bottom + 8 * u], fill=hair_dark)

    # Neck and face: an ellipse with a pointed chin.
    draw.rectangle([cx - fw * 0.22, cy + fh * 0.6, cx + fw * 0.22, cy + fh * 1.25], fill=_shade(skin, 0.93))
    draw.ellipse([cx - fw, cy - fh, cx + fw, cy + fh * 0.75], fill=skin)
    chin = rng.uniform(0.95, 1.1)
    draw.polygon([(cx - fw * 0.92, cy + fh * 0.15), (cx + fw * 0.92, cy + fh * 0.15), (cx, cy + fh * chin)], fill=skin)

    # Eyes: large, at mid-height, well apart; iris fills most of the eye.
    eye_y = cy + fh * rng.uniform(0.02, 0.12)
    gap = fw * rng.uniform(0.42, 0.5)
    ew, eh = fw * rng.uniform(0.3, 0.36), fh * rng.uniform(0.3, 0.36)
    for side in (-1, 1):
        ex = cx + side * gap
        draw.ellipse([ex - ew, eye_y - eh, ex + ew, eye_y + eh], fill=(255, 255, 255))
        iw, ih = ew * 0.82, eh * 0.95
        draw.ellipse([ex - iw, eye_y - ih * 0.9, ex + iw, eye_y + ih], fill=eye_rgb)
        draw.ellipse([ex - iw * 0.45, eye_y - ih * 0.4, ex + iw * 0.45, eye_y + ih * 0.5], fill=_shade(eye_rgb, 0.45))
        draw.ellipse([ex - iw * 0.6, eye_y - ih * 0.75, ex - iw * 0.1, eye_y - ih * 0.25], fill=(255, 255, 255))
        # Thick upper lash line and a thin lower one.
        lash = max(2, int(round(2 * u)))
        draw.line([(ex - ew * 1.15, eye_y - eh * 0.55 + side * 0), (ex - ew * 0.4, eye_y - eh * 1.05),
                   (ex + ew * 0.4, eye_y - eh * 1.05), (ex + ew * 1.15, eye_y - eh * 0.55)], fill=(25, 20, 25), width=lash)
        draw.line([(ex - ew * 0.6, eye_y + eh * 1.0), (ex + ew * 0.6, eye_y + eh * 1.0)], fill=(60, 40, 40), width=max(1, lash // 3))
        # Eyebrow in a darker hair colour.
        draw.line([(ex - ew * 0.8, eye_y - eh * 1.6), (ex + ew * 0.8, eye_y - eh * 1.75)], fill=hair_dark, width=max(1, lash // 2))

    if rng.random() < 0.5:  # blush
        for side in (-1, 1):
            bx = cx + side * gap * 1.15
            by = eye_y + eh * 1.7
            draw.ellipse([bx - 7 * u, by - 2.5 * u, bx + 7 * u, by + 2.5 * u], fill=(245, 160, 160))

    # Mouth: a small line, a smile, or an open mouth.
    my = cy + fh * rng.uniform(0.55, 0.65)
    mw = fw * rng.uniform(0.12, 0.22)
    style = rng.integers(3)
    if style == 0:
        draw.line([(cx - mw, my), (cx + mw, my)], fill=(150, 60, 60), width=max(1, int(2 * u)))
    elif style == 1:
        draw.arc([cx - mw, my - mw * 0.6, cx + mw, my + mw * 0.6], 20, 160, fill=(150, 60, 60), width=max(1, int(2 * u)))
    else:
        draw.ellipse([cx - mw * 0.6, my - mw * 0.4, cx + mw * 0.6, my + mw * 0.5], fill=(170, 50, 60))

    # Spiky bangs over the forehead, down to just above the eyebrows.
    fringe = eye_y - eh * rng.uniform(1.8, 2.3)
    top = cy - fh * 1.12
    draw.chord([cx - fw * 1.12, top, cx + fw * 1.12, cy + fh * 0.2], 180, 360, fill=hair_rgb)
    spikes = int(rng.integers(5, 9))
    xs = np.linspace(cx - fw * 1.08, cx + fw * 1.08, spikes + 1)
    for left, right in zip(xs[:-1], xs[1:]):
        tip_x = (left + right) / 2 + rng.uniform(-0.25, 0.25) * (right - left)
        tip_y = fringe + rng.uniform(-4, 3) * u
        draw.polygon([(left, top + fh * 0.45), (right, top + fh * 0.45), (tip_x, tip_y)], fill=hair_rgb)
    # Side locks framing the face.
    for side in (-1, 1):
        sx = cx + side * fw * 1.0
        draw.polygon([(sx, cy - fh * 0.7), (sx + side * 8 * u, cy - fh * 0.5), (sx + side * 2 * u, cy + fh * (0.9 if long_hair else 0.4))],
                     fill=hair_rgb)
    # A highlight streak on the hair.
    draw.arc([cx - fw * 0.8, top + 6 * u, cx + fw * 0.8, top + fh * 0.7], 200, 340, fill=_shade(hair_rgb, 1.25), width=max(1, int(2 * u)))

    angle = rng.uniform(-5, 5)
    canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, center=(cx, cy), fillcolor=canvas.getpixel((0, 0)))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def _sample_labels(rng, n_eye_colours: int) -> tuple[int, int]:
    return int(rng.integers(len(HAIR_COLORS))), int(rng.integers(n_eye_colours))


def _render_range(args):
    start, stop, seed, size, n_eye = args
    images, hair, eye = [], [], []
    for i in range(start, stop):
        rng = np.random.default_rng((seed, i))
        h, e = _sample_labels(rng, n_eye)
        images.append(np.asarray(render_anime_face(rng, HAIR_COLORS[h], EYE_COLORS[e], size)))
        hair.append(h)
        eye.append(e)
    return np.stack(images), np.array(hair), np.array(eye)


def _chunks(n, workers):
    bounds = np.linspace(0, n, max(1, workers) * 4 + 1).astype(int)
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def render_anime_batch(n: int, seed: int, size: int = 64, workers: int = 1, n_eye_colours: int = len(EYE_COLORS)):
    """``n`` faces as uint8 (n, size, size, 3) with their hair and eye class ids."""
    jobs = [(a, b, seed, size, n_eye_colours) for a, b in _chunks(n, workers)]
    if workers > 1 and n >= _POOL_THRESHOLD:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            parts = list(pool.map(_render_range, jobs))
    else:
        parts = [_render_range(job) for job in jobs]
    return tuple(np.concatenate(p) for p in zip(*parts))


_UNRELATED_TAGS = ("smile", "blush", "open mouth", "ribbon", "hat", "glasses", "school uniform", "ponytail")


def _tags_clean_line(rng, ident: int, hair: str, eye: str) -> str:
    counts = lambda: int(rng.integers(1, 2000))  # noqa: E731
    tags = [f"{hair} hair:{counts()}", f"{eye} eyes:{counts()}"]
    if rng.random() < 0.5:
        tags.append(f"{'long' if rng.random() < 0.6 else 'short'} hair:{counts()}")
    if rng.random() < 0.05:
        tags.append(f"bicolored eyes:{counts()}")
    roll = rng.random()
    if roll < 0.04:  # a second hair colour: the loader must drop this row
        tags.append(f"{HAIR_COLORS[(HAIR_COLORS.index(hair) + 1) % len(HAIR_COLORS)]} hair:{counts()}")
    elif roll < 0.07:  # no eye colour
        tags = [t for t in tags if not t.startswith(f"{eye} eyes")]
    for tag in rng.choice(_UNRELATED_TAGS, size=int(rng.integers(0, 3)), replace=False):
        tags.append(f"{tag}:{counts()}")
    order = rng.permutation(len(tags))
    return f"{ident}," + "\t".join(tags[i] for i in order)


def write_mlds_dataset(root, n_faces: int, n_extra: int, seed: int = 0, workers: int = 2) -> Path:
    """Write the MLDS layout (``faces/`` + ``tags_clean.csv``, ``extra_data/``) under ``root`` once.

    Rendered into a temp folder beside ``root`` and renamed when complete, so an interrupted
    run never leaves a folder that looks finished. A complete ``root`` is returned untouched.
    """
    root = Path(root)
    if (root / COMPLETE_MARKER).exists():
        return root
    tmp = root.with_name(f".{root.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        (tmp / "faces").mkdir(parents=True)
        (tmp / "extra_data" / "images").mkdir(parents=True)
        images, hair, eye = render_anime_batch(n_faces, seed, size=96, workers=workers)
        lines = []
        for i, (image, h, e) in enumerate(zip(images, hair, eye)):
            Image.fromarray(image).save(tmp / "faces" / f"{i}.jpg", quality=95)
            lines.append(_tags_clean_line(np.random.default_rng((seed, 7, i)),
                                          i, HAIR_COLORS[h], EYE_COLORS[e]))
        (tmp / "tags_clean.csv").write_text("\n".join(lines) + "\n")
        # extra_data has 10 eye colours (no gray), as in the real set.
        images, hair, eye = render_anime_batch(n_extra, seed + 1, size=64, workers=workers, n_eye_colours=len(EYE_COLORS) - 1)
        lines = []
        for i, (image, h, e) in enumerate(zip(images, hair, eye)):
            Image.fromarray(image).save(tmp / "extra_data" / "images" / f"{i}.jpg", quality=95)
            lines.append(f"{i},{HAIR_COLORS[h]} hair {EYE_COLORS[e]} eyes")
        (tmp / "extra_data" / "tags.csv").write_text("\n".join(lines) + "\n")
        (tmp / COMPLETE_MARKER).write_text(f"seed {seed}\n")
        if root.exists():
            shutil.rmtree(root)
        os.replace(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return root
