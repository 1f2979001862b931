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
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from genlab.vocab import CELEBA_ATTRIBUTES, DLCV_ATTRIBUTES, STARGAN_HAIR_GROUP

# Attributes the renderer draws; the rest of the 40 (only Attractive) stay 0.
DRAWN_ATTRIBUTES: tuple[str, ...] = tuple(a for a in CELEBA_ATTRIBUTES if a != "Attractive")
HAIR_COLOR_ATTRIBUTES: tuple[str, ...] = STARGAN_HAIR_GROUP + ("Gray_Hair",)

COMPLETE_MARKER = ".complete"
CANVAS_FACTOR = 2  # draw at this multiple of the output size, then downsample
DLCV_HEADER = "image_name," + ",".join(DLCV_ATTRIBUTES)

_ATTRIBUTE_INDEX = {name: i for i, name in enumerate(CELEBA_ATTRIBUTES)}

# Base colours, jittered per face.
_SKIN_TONES = np.array(
    [(240, 208, 184), (230, 190, 162), (214, 166, 130), (180, 128, 94), (124, 84, 58)], dtype=np.float64
)
_PALE_SKIN = np.array((255, 242, 238), dtype=np.float64)
_HAIR_COLORS = {
    "Black_Hair": np.array((28, 22, 22), dtype=np.float64),
    "Brown_Hair": np.array((124, 80, 46), dtype=np.float64),
    "Blond_Hair": np.array((226, 196, 132), dtype=np.float64),
    "Gray_Hair": np.array((172, 170, 168), dtype=np.float64),
    "other": np.array((188, 80, 36), dtype=np.float64),  # red / auburn: none of the labelled groups
}
_EYE_COLORS = np.array([(70, 45, 30), (40, 30, 25), (70, 100, 140), (80, 100, 60), (110, 80, 50)], dtype=np.float64)
_MAKEUP_COLORS = np.array([(120, 70, 120), (110, 70, 60), (70, 70, 110), (150, 90, 110)], dtype=np.float64)
_LIPSTICK_COLORS = np.array([(196, 28, 48), (170, 20, 60), (210, 50, 70), (150, 24, 36)], dtype=np.float64)
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


def _hair_group(attrs: dict[str, bool]) -> str:
    groups = [g for g in HAIR_COLOR_ATTRIBUTES if attrs[g]]
    if len(groups) > 1:
        raise ValueError(f"at most one hair colour can be drawn, got {', '.join(groups)}")
    return groups[0] if groups else "other"


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


def _rgb(color) -> tuple[int, int, int]:
    """A colour (any 3 numbers) as the int tuple Pillow wants, clipped to 0..255."""
    r, g, b = color.tolist() if isinstance(color, np.ndarray) else color
    return (min(255, max(0, int(r))), min(255, max(0, int(g))), min(255, max(0, int(b))))


def _mix(a, b, t: float) -> np.ndarray:
    return np.asarray(a, dtype=np.float64) * (1.0 - t) + np.asarray(b, dtype=np.float64) * t


@lru_cache(maxsize=8)
def _gradient_masks(width: int) -> tuple[Image.Image, ...]:
    """Soft background blend masks: vertical, horizontal and two diagonals."""
    ramp = np.linspace(0.0, 1.0, width)
    yy, xx = np.meshgrid(ramp, ramp, indexing="ij")
    masks = [yy, xx, (xx + yy) / 2, (1 - xx + yy) / 2]
    return tuple(Image.fromarray((m * 255).astype(np.uint8), mode="L") for m in masks)


@lru_cache(maxsize=8)
def _unit_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    coords = np.linspace(-1.0, 1.0, size, dtype=np.float32)
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    return xx, yy


_ARC_ANGLES = np.linspace(0.0, 2.0 * np.pi, 40, endpoint=False)


class _Face:
    """Geometry and colours of one face, in canvas pixels; derived from uniforms + attributes."""

    def __init__(self, u: np.ndarray, attrs: dict[str, bool], width: int):
        a = attrs
        self.a = a
        self.W = W = width
        self.k = width / 128.0  # stroke scale: 1 at the 64 px output
        male, young = a["Male"], a["Young"]

        scale = 0.93 + 0.14 * u[0]
        if a["Chubby"]:
            fw_mult, fh_mult = 1.13, 1.0
        elif a["Oval_Face"]:
            fw_mult, fh_mult = 0.9, 1.06
        else:
            fw_mult, fh_mult = 1.0 + 0.06 * (u[1] - 0.5), 1.0
        self.fw = W * 0.265 * scale * fw_mult * (1.04 if male else 1.0)
        self.fh = W * 0.36 * scale * fh_mult
        self.cx = W * (0.5 + 0.06 * (u[2] - 0.5))
        self.cy = W * (0.5 + 0.05 * (u[3] - 0.5))
        self.yaw = 2.0 * u[4] - 1.0
        self.shift = self.yaw * self.fw * 0.1  # features slide with head yaw
        self.jaw_power = 3.0 if male else 2.0
        self.taper = 0.10 if a["Chubby"] else (0.18 if male else 0.36)

        tone = (u[5] ** 1.7) * (len(_SKIN_TONES) - 1)
        lo = int(min(tone, len(_SKIN_TONES) - 2))
        skin = _mix(_SKIN_TONES[lo], _SKIN_TONES[lo + 1], tone - lo)
        if a["Pale_Skin"]:
            skin = _mix(_PALE_SKIN, skin, 0.1)
        self.skin = skin * (1.0 + 0.04 * (u[6] - 0.5))

        self.hair_group = _hair_group(a)
        hair = _HAIR_COLORS[self.hair_group] * (1.0 + 0.14 * (u[7] - 0.5)) + 10.0 * (u[8] - 0.5)
        self.hair = hair
        self.hair_light = _mix(hair, (255, 240, 210), 0.2) + 10
        self.hair_dark = hair * 0.86
        self.brow = hair * 0.72 if self.hair_group not in ("Blond_Hair", "Gray_Hair") else hair * 0.62
        self.hair_volume = 1.0 + 0.12 * u[9]
        self.hair_length = 0.55 + 0.55 * u[10]
        self.wave_phase = 2 * np.pi * u[11]
        self.part = 0.2 * (u[42] - 0.5)
        self.cap_cy = self.cy - 0.22 * self.fh
        self.cap_rx = self.fw * (1.1 if male else 1.2) * self.hair_volume ** 0.5
        self.cap_ry = self.fh * (0.88 if male else 0.98) * self.hair_volume ** 0.5

        base = 95.0 + 120.0 * np.array([u[12], u[13], u[14]])
        self.bg1 = _mix(base, base.mean(), 0.45)
        self.bg2 = self.bg1 * (0.72 + 0.2 * u[15])
        self.bg_mask = int(u[16] * 3.999)
        self.clothes = 40.0 + 180.0 * np.array([u[17], u[18], u[19]])
        self.eye_color = _EYE_COLORS[int(u[20] * 4.999)]
        self.makeup = _MAKEUP_COLORS[int(u[21] * 3.999)]
        self.lipstick = _LIPSTICK_COLORS[int(u[22] * 3.999)]
        self.mouth_width = 0.34 + 0.06 * u[23]
        self.smile_width = 1.32 + 0.12 * u[24]
        self.sunglasses = u[25] < 0.25
        self.frame = np.array((30, 25, 25)) if u[26] < 0.7 else np.array((95, 95, 100))
        self.hat = 40.0 + 170.0 * np.array([u[27], u[28], u[29]])
        self.accessory = np.array((225, 190, 90)) if u[30] < 0.6 else np.array((215, 215, 220))
        self.tie = 30.0 + 120.0 * np.array([u[31], u[32], u[33]])
        light_angle = 2 * np.pi * u[34]
        self.light = (np.cos(light_angle), np.sin(light_angle))
        self.light_strength = 0.16 * u[35]
        self.brightness = 0.9 + 0.2 * u[36]
        self.tint = 1.0 + 0.06 * (np.array([u[37], u[38], u[39]]) - 0.5)
        self.eye_spacing = 0.40 + 0.05 * u[40]
        self.nose_length = 0.95 + 0.15 * u[41]

        # Landmarks. Age sags the lower features a little.
        sag = 0.0 if young else 0.03 * self.fh
        fh = self.fh
        self.eye_y = self.cy - 0.08 * fh + 0.4 * sag
        self.brow_y = self.eye_y - 0.17 * fh
        self.hairline_y = self.cy - (0.72 if a["Receding_Hairline"] else 0.55) * fh
        self.nose_y = self.cy + 0.28 * fh * self.nose_length + sag
        self.mouth_y = self.cy + 0.56 * fh + sag
        self.chin_y = self.cy + fh

    # --- geometry helpers -------------------------------------------------------------------
    def outline(self, t: np.ndarray = _ARC_ANGLES) -> list[float]:
        """Face outline (superellipse with a tapered chin) as a flat point list."""
        c, s = np.cos(t), np.sin(t)
        lower = s > 0
        power = np.where(lower, self.jaw_power, 2.2)
        x = np.sign(c) * np.abs(c) ** (2.0 / power)
        y = np.sign(s) * np.abs(s) ** (2.0 / power)
        x = x * (1.0 - self.taper * np.where(lower, s, 0.0) ** 2)
        pts = np.stack([self.cx + self.fw * x, self.cy + self.fh * y], axis=1)
        return pts.ravel().tolist()

    def box(self, x: float, y: float, rx: float, ry: float) -> tuple[float, float, float, float]:
        return (x - rx, y - ry, x + rx, y + ry)


def _draw_background(face: _Face) -> Image.Image:
    W = face.W
    first = Image.new("RGB", (W, W), _rgb(face.bg1))
    second = Image.new("RGB", (W, W), _rgb(face.bg2))
    return Image.composite(second, first, _gradient_masks(W)[face.bg_mask])


def _wavy_side(face: _Face, x0: float, x1: float, y0: float, y1: float, wavy: bool, n: int = 9) -> list[tuple]:
    """Points of a hair edge from (x0, y0) to (x1, y1), sinusoidal when wavy."""
    pts = []
    amplitude = 0.14 * face.fw if wavy else 0.0
    for i in range(n):
        t = i / (n - 1)
        wobble = amplitude * np.sin(face.wave_phase + t * 3.0 * np.pi) * min(1.0, 3 * t)
        pts.append((x0 + (x1 - x0) * t + wobble, y0 + (y1 - y0) * t))
    return pts


def _hair_front(face: _Face) -> list[tuple]:
    """Hair covering the top of the head: the cap's outer arc, then the hairline back across."""
    cx, fw, fh = face.cx, face.fw, face.fh
    angles = np.linspace(np.radians(170), np.radians(370), 15)
    outer = [(cx + face.cap_rx * np.cos(t), face.cap_cy + face.cap_ry * np.sin(t)) for t in angles]
    hl = face.hairline_y
    if face.a["Receding_Hairline"]:
        side_y, middle_y, center_y = hl - 0.1 * fh, hl + 0.02 * fh, hl + 0.14 * fh
    else:
        side_y, middle_y, center_y = hl + 0.08 * fh, hl + 0.01 * fh, hl
    temple_y = face.eye_y - 0.04 * fh
    part = face.part * fw
    hairline = [(cx + 0.96 * fw, temple_y), (cx + 0.8 * fw, side_y), (cx + 0.42 * fw + part, middle_y),
                (cx + part, center_y), (cx - 0.42 * fw + part, middle_y), (cx - 0.8 * fw, side_y),
                (cx - 0.96 * fw, temple_y)]
    return outer + hairline


def _draw_soft_layer(draw: ImageDraw.ImageDraw, face: _Face) -> None:
    """Everything that gets the soft-focus blur: hair masses, skin and its shading, stubble, make-up."""
    a = face.a
    cx, cy, fw, fh = face.cx, face.cy, face.fw, face.fh
    hair = _rgb(face.hair)
    skin = face.skin
    long_hair = not a["Male"] and not a["Bald"]
    wavy = a["Wavy_Hair"]

    # Long hair behind head and shoulders.
    if long_hair:
        top = face.cap_cy
        bottom = cy + fh * (0.55 + face.hair_length)
        half = fw * 1.3 * face.hair_volume
        crown = [(cx + half * np.cos(t), top + face.cap_ry * np.sin(t)) for t in np.linspace(np.pi, 2 * np.pi, 9)]
        left = _wavy_side(face, cx - half, cx - half * 1.08, top, bottom, wavy, n=13)
        right = _wavy_side(face, cx + half, cx + half * 1.08, top, bottom, wavy, n=13)
        draw.polygon(crown + right + left[::-1], fill=_rgb(face.hair_dark))

    # Shoulders, neck, ears.
    W = face.W
    draw.ellipse((cx - 0.56 * W, cy + 1.08 * fh, cx + 0.56 * W, cy + 1.08 * fh + 0.5 * W), fill=_rgb(face.clothes))
    neck_half = fw * (0.5 if a["Male"] else 0.42)
    draw.rectangle((cx - neck_half, cy + 0.4 * fh, cx + neck_half, cy + 1.3 * fh), fill=_rgb(skin * 0.7))
    for side in (-1, 1):
        ex = cx + side * fw * 0.97
        draw.ellipse(face.box(ex, face.eye_y + 0.12 * fh, fw * 0.12, fh * 0.16), fill=_rgb(skin * 0.88))

    # Face: shadowed outline, lit inner area offset toward the light.
    draw.polygon(face.outline(), fill=_rgb(skin * 0.84))
    lx, ly = face.light
    off = 0.6 * face.light_strength / 0.16
    draw.ellipse(face.box(cx + lx * fw * 0.12 * off, cy - 0.05 * fh + ly * fh * 0.08 * off, fw * 0.84, fh * 0.86),
                 fill=_rgb(skin))
    if a["Double_Chin"]:
        draw.ellipse(face.box(cx, face.chin_y + 0.05 * fh, fw * 0.5, fh * 0.13), fill=_rgb(skin * 0.92))

    if a["High_Cheekbones"]:
        for side in (-1, 1):
            x = cx + face.shift + side * fw * 0.52
            draw.ellipse(face.box(x + side * fw * 0.05, face.cy + 0.25 * fh, fw * 0.24, fh * 0.08), fill=_rgb(skin * 0.86))
            draw.ellipse(face.box(x, face.cy + 0.1 * fh, fw * 0.24, fh * 0.1), fill=_rgb(skin * 1.12 + 8))
    if a["Rosy_Cheeks"]:
        for side in (-1, 1):
            x = cx + face.shift + side * fw * 0.5
            draw.ellipse(face.box(x, face.cy + 0.2 * fh, fw * 0.2, fh * 0.11), fill=_rgb(_mix(skin, (235, 90, 100), 0.5)))

    # Stubble: a grey-blue tint over jaw and upper lip.
    if a["5_o_Clock_Shadow"]:
        jaw = face.outline(t=np.linspace(0.1 * np.pi, 0.9 * np.pi, 14))
        upper = [cx + face.shift + fw * 0.62, face.nose_y + 0.06 * fh, cx + face.shift - fw * 0.62, face.nose_y + 0.06 * fh]
        draw.polygon(jaw + upper, fill=_rgb(_mix(skin * 0.8, (70, 75, 90), 0.35)))

    # Eye make-up and bags under the eyes.
    ew = fw * 0.2
    for side in (-1, 1):
        ex = cx + face.shift + side * fw * face.eye_spacing
        if a["Heavy_Makeup"]:
            draw.ellipse(face.box(ex + side * ew * 0.1, face.eye_y - 0.04 * fh, ew * 1.45, fh * 0.1),
                         fill=_rgb(_mix(skin, face.makeup, 0.75)))
        if a["Bags_Under_Eyes"]:
            draw.ellipse(face.box(ex, face.eye_y + 0.1 * fh, ew * 1.15, fh * 0.07), fill=_rgb(_mix(skin, (90, 60, 75), 0.5)))

    # Hair on the head.
    if not a["Bald"]:
        draw.polygon(_hair_front(face), fill=hair)
        if a["Male"] and wavy:
            for t in np.linspace(1.1 * np.pi, 1.9 * np.pi, 7):
                draw.ellipse(face.box(cx + face.cap_rx * np.cos(t), face.cap_cy + face.cap_ry * np.sin(t),
                                      fw * 0.13, fh * 0.1), fill=hair)
        if long_hair:
            for side in (-1, 1):
                outer = _wavy_side(face, cx + side * fw * 1.12, cx + side * fw * 1.08, face.hairline_y - 0.1 * fh,
                                   cy + 0.75 * fh, wavy, n=7)
                inner = [(cx + side * fw * 0.62, face.hairline_y), (cx + side * fw * 0.84, face.eye_y),
                         (cx + side * fw * 0.9, cy + 0.75 * fh)]
                draw.polygon(outer + inner[::-1], fill=hair)
    else:
        for side in (-1, 1):
            draw.ellipse(face.box(cx + side * fw * 0.98, face.eye_y - 0.1 * fh, fw * 0.12, fh * 0.2), fill=hair)
    if a["Sideburns"] and not a["Bald"]:
        for side in (-1, 1):
            draw.polygon([(cx + side * fw * 1.02, face.eye_y - 0.1 * fh), (cx + side * fw * 0.82, face.eye_y - 0.1 * fh),
                          (cx + side * fw * 0.86, cy + 0.42 * fh), (cx + side * fw * 0.99, cy + 0.42 * fh)], fill=hair)
    if a["Bangs"]:
        bottom = face.brow_y - 0.04 * fh
        top = face.hairline_y - 0.2 * fh
        span = fw * (0.98 if a["Male"] else 1.05)
        pts = [(cx - span, top)]
        n_teeth = 7
        for i in range(n_teeth + 1):
            x = cx - span + 2 * span * i / n_teeth
            y = bottom - (0.07 * fh if i % 2 else 0.0) - 0.05 * fh * abs(i / n_teeth - 0.5)
            pts.append((x, y))
        pts.append((cx + span, top))
        draw.polygon(pts, fill=hair)


def _draw_sharp_layer(draw: ImageDraw.ImageDraw, face: _Face) -> None:
    """Fine details drawn after the soft-focus blur: eyes, brows, nose, mouth, lines, accessories."""
    a, k = face.a, face.k
    cx, cy, fw, fh = face.cx, face.cy, face.fw, face.fh
    skin = face.skin
    line = max(1, round(k))

    # Brows.
    brow_width = max(1, round(k * (3.4 if a["Bushy_Eyebrows"] else (1.9 if a["Male"] else 1.2))))
    arch = 0.14 * fh if a["Arched_Eyebrows"] else 0.0
    ew = fw * 0.2
    eh = ew * (0.22 if a["Narrow_Eyes"] else 0.48)
    for side in (-1, 1):
        ex = cx + face.shift + side * fw * face.eye_spacing
        inner = (ex - side * ew * 1.1, face.brow_y + 0.02 * fh)
        peak = (ex + side * ew * 0.4, face.brow_y - arch)
        outer = (ex + side * ew * 1.25, face.brow_y + (0.05 * fh if a["Arched_Eyebrows"] else 0.015 * fh))
        draw.line([inner, peak, outer], fill=_rgb(face.brow), width=brow_width, joint="curve")

        # Eye: white, iris, pupil, upper lid line.
        draw.ellipse(face.box(ex, face.eye_y, ew, eh), fill=(236, 230, 226))
        ix = ex + face.yaw * ew * 0.25
        r = min(eh * 0.95, ew * 0.5)
        draw.ellipse(face.box(ix, face.eye_y, r, r), fill=_rgb(face.eye_color))
        draw.ellipse(face.box(ix, face.eye_y, r * 0.45, r * 0.45), fill=(15, 10, 10))
        lid_width = max(1, round(k * (2.0 if a["Heavy_Makeup"] or a["Narrow_Eyes"] else 1.2)))
        draw.arc(face.box(ex, face.eye_y, ew, eh), 190, 350, fill=(30, 20, 20), width=lid_width)
        if not a["Young"]:
            x0 = ex + side * ew * 1.15
            for dy in (-0.3, 0.3):
                draw.line([(x0, face.eye_y), (x0 + side * ew * 0.45, face.eye_y + dy * eh * 2)],
                          fill=_rgb(skin * 0.72), width=line)

    # Nose.
    nx = cx + face.shift * 1.4
    nw = fw * (0.25 if a["Big_Nose"] else 0.15)
    shadow_side = -1 if face.light[0] > 0 else 1
    draw.line([(nx + shadow_side * nw * 0.4, face.eye_y + 0.08 * fh), (nx + shadow_side * nw * 0.7, face.nose_y - 0.05 * fh)],
              fill=_rgb(skin * 0.8), width=max(1, round(k * (1.6 if a["Big_Nose"] else 1.0))))
    draw.ellipse(face.box(nx, face.nose_y, nw, (0.075 if a["Big_Nose"] else 0.05) * fh), fill=_rgb(skin * 0.8))
    if a["Pointy_Nose"]:
        # A narrow lit ridge ending in a sharp tip with a shadow under it.
        draw.polygon([(nx - nw * 0.45, face.nose_y + 0.03 * fh), (nx + nw * 0.45, face.nose_y + 0.03 * fh),
                      (nx, face.nose_y + 0.11 * fh)], fill=_rgb(skin * 0.68))
        draw.polygon([(nx - nw * 0.3, face.eye_y + 0.06 * fh), (nx + nw * 0.3, face.eye_y + 0.06 * fh),
                      (nx + nw * 0.4, face.nose_y), (nx, face.nose_y + 0.05 * fh), (nx - nw * 0.4, face.nose_y)],
                     fill=_rgb(skin * 1.1 + 10))
    for side in (-1, 1):
        nostril = nw * (0.3 if a["Big_Nose"] else 0.22)
        draw.ellipse(face.box(nx + side * nw * 0.5, face.nose_y + 0.01 * fh, nostril, 0.025 * fh), fill=_rgb(skin * 0.5))

    # Age lines: forehead, nose-to-mouth folds, jowls.
    mx = cx + face.shift * 1.1
    my = face.mouth_y
    mw = fw * face.mouth_width * (face.smile_width if a["Smiling"] else 1.0)
    if not a["Young"]:
        wrinkle = _rgb(skin * 0.7)
        if not a["Bangs"] and not a["Wearing_Hat"]:
            for dy in (0.0, 0.07):
                y = face.brow_y - 0.13 * fh - dy * fh
                draw.arc((cx - fw * 0.45, y, cx + fw * 0.45, y + 0.12 * fh), 200, 340, fill=wrinkle, width=line)
        for side in (-1, 1):
            draw.line([(nx + side * nw * 1.2, face.nose_y - 0.02 * fh), (mx + side * fw * 0.5, my + 0.08 * fh)],
                      fill=wrinkle, width=line)
            draw.line([(cx + side * fw * 0.62, my + 0.12 * fh), (cx + side * fw * 0.55, my + 0.3 * fh)],
                      fill=wrinkle, width=line)
    if a["Double_Chin"]:
        draw.arc(face.box(cx, face.chin_y + 0.05 * fh, fw * 0.5, fh * 0.13), 20, 160, fill=_rgb(skin * 0.62),
                 width=max(1, round(1.5 * k)))

    _draw_mouth(draw, face, mx, my, mw)

    # Facial hair over the mouth area.
    lt = fh * (0.085 if a["Big_Lips"] else 0.045)
    beard = _rgb(_mix(face.hair, (40, 30, 25), 0.3))
    if a["Mustache"]:
        y = my - lt * 1.3 - 0.04 * fh
        thick = 0.06 * fh
        draw.polygon([(mx - mw * 1.15, y + thick * 1.6), (mx - mw * 0.6, y - thick), (mx + mw * 0.6, y - thick),
                      (mx + mw * 1.15, y + thick * 1.6), (mx, y + thick * 0.6)], fill=beard)
    if a["Goatee"]:
        gx = cx + face.shift * 0.6
        draw.chord(face.box(gx, face.chin_y - 0.2 * fh, fw * 0.3, fh * 0.17), 0, 180, fill=beard)
        draw.rectangle((gx - fw * 0.12, my + lt * 1.6, gx + fw * 0.12, face.chin_y - 0.16 * fh), fill=beard)

    # Hair texture: straight or wavy strands, grey streaks with age.
    if not a["Bald"]:
        light = _rgb(face.hair_light)
        cap_top = cy - 0.22 * fh - fh * 0.9
        strands = []
        for i in range(4):
            x = cx + fw * (-0.55 + 0.36 * i)
            strands.append((x, cap_top + 0.2 * fh, face.hairline_y - 0.04 * fh))
        if not a["Male"]:
            for side in (-1, 1):
                for j in range(2):
                    x = cx + side * fw * (1.12 + 0.12 * j)
                    strands.append((x, cy - 0.4 * fh, cy + fh * (0.45 + 0.5 * face.hair_length)))
        # Straight hair shows long glossy highlights, wavy hair wavy ones; other hair is matte.
        strand_width = max(1, round(1.6 * k))
        if a["Wavy_Hair"]:
            for x, y0, y1 in strands:
                n = 9
                pts = [(x + 0.1 * fw * np.sin(face.wave_phase + 3.0 * np.pi * j / (n - 1)), y0 + (y1 - y0) * j / (n - 1))
                       for j in range(n)]
                draw.line(pts, fill=light, width=strand_width, joint="curve")
        elif a["Straight_Hair"]:
            for x, y0, y1 in strands:
                draw.line([(x, y0), (x, y1)], fill=light, width=strand_width)
        if not a["Young"] and face.hair_group != "Gray_Hair":
            for x, y0, y1 in strands[:3]:
                draw.line([(x + 0.08 * fw, y0), (x + 0.1 * fw, y1)], fill=(205, 205, 205), width=line)

    # Accessories.
    if a["Eyeglasses"]:
        frame = _rgb(face.frame)
        gw, gh = ew * 1.5, ew * 1.05
        width = max(1, round(2.2 * k))
        lens = (35, 35, 40) if face.sunglasses else None
        centers = [cx + face.shift + side * fw * face.eye_spacing for side in (-1, 1)]
        for x in centers:
            draw.rounded_rectangle(face.box(x, face.eye_y, gw, gh), radius=gh * 0.6, outline=frame, fill=lens, width=width)
        draw.line([(centers[0] + gw, face.eye_y - gh * 0.3), (centers[1] - gw, face.eye_y - gh * 0.3)], fill=frame, width=width)
        for side, x in zip((-1, 1), centers):
            draw.line([(x + side * gw, face.eye_y - gh * 0.3), (cx + side * fw * 0.98, face.eye_y - gh * 0.1)],
                      fill=frame, width=width)
    if a["Wearing_Hat"]:
        hat = _rgb(face.hat)
        brim_y = face.hairline_y - 0.06 * fh
        draw.chord(face.box(cx, brim_y, fw * 1.12, fh * 0.78), 180, 360, fill=hat)
        draw.rounded_rectangle((cx - fw * 1.4, brim_y - 0.07 * fh, cx + fw * 1.4, brim_y + 0.06 * fh), radius=0.05 * fh,
                               fill=_rgb(face.hat * 0.75))
    if a["Wearing_Earrings"]:
        for side in (-1, 1):
            x, y = cx + side * fw * 0.99, face.eye_y + 0.3 * fh
            draw.ellipse(face.box(x, y, fw * 0.055, fw * 0.055), fill=_rgb(face.accessory))
            draw.ellipse(face.box(x, y + fw * 0.12, fw * 0.07, fw * 0.07), fill=_rgb(face.accessory))
    if a["Wearing_Necklace"]:
        y = cy + 1.06 * fh
        draw.arc((cx - fw * 0.5, y - 0.2 * fh, cx + fw * 0.5, y + 0.12 * fh), 20, 160, fill=_rgb(face.accessory),
                 width=max(1, round(3 * k)))
    if a["Wearing_Necktie"]:
        y = cy + 1.12 * fh
        draw.polygon([(cx - fw * 0.5, y), (cx, y + 0.22 * fh), (cx + fw * 0.5, y), (cx + fw * 0.55, y + 0.2 * fh),
                      (cx - fw * 0.55, y + 0.2 * fh)], fill=(235, 235, 235))
        draw.polygon([(cx - fw * 0.1, y + 0.1 * fh), (cx + fw * 0.1, y + 0.1 * fh), (cx + fw * 0.16, face.W),
                      (cx - fw * 0.16, face.W)], fill=_rgb(face.tie))


def _draw_mouth(draw: ImageDraw.ImageDraw, face: _Face, mx: float, my: float, mw: float) -> None:
    a, fh = face.a, face.fh
    lt = fh * (0.085 if a["Big_Lips"] else 0.045)
    skin = face.skin
    natural = np.array((skin[0] * 0.84 + 8, skin[1] * 0.68, skin[2] * 0.7))
    lip = _rgb(face.lipstick if a["Wearing_Lipstick"] else natural)
    dark = (55, 18, 22)
    teeth = (240, 236, 226)
    line = max(1, round(face.k))

    if a["Smiling"]:
        lift = lt * 1.3
        depth = fh * (0.2 if a["Mouth_Slightly_Open"] else 0.1)
        upper = [(mx - mw, my - lift), (mx - mw * 0.5, my - lt * 0.45), (mx, my - lt * 0.3), (mx + mw * 0.5, my - lt * 0.45),
                 (mx + mw, my - lift)]
        angles = np.linspace(0, np.pi, 9)
        lower = [(mx + mw * np.cos(t), my - lift + (depth + lift * 0.6) * np.sin(t)) for t in angles]
        # Lips are thick strokes around the opening; the opening shows teeth (and dark gap when open).
        draw.line(upper, fill=lip, width=max(1, round(lt * 1.2)), joint="curve")
        draw.line(lower, fill=lip, width=max(1, round(lt * 1.2)), joint="curve")
        draw.polygon(upper + lower, fill=dark)
        teeth_depth = 0.4 if a["Mouth_Slightly_Open"] else 0.85
        teeth_lower = [(mx + mw * 0.92 * np.cos(t), my - lift + (depth + lift * 0.6) * teeth_depth * np.sin(t)) for t in angles]
        draw.polygon(upper + teeth_lower, fill=teeth)
        draw.line(upper, fill=lip, width=max(1, round(lt * 0.7)), joint="curve")
        return

    gap = 0.085 * fh if a["Mouth_Slightly_Open"] else 0.0
    upper_y = my - gap / 2
    lower_y = my + gap / 2
    if gap:
        draw.ellipse(face.box(mx, my, mw * 0.8, gap * 0.7), fill=dark)
        draw.rectangle((mx - mw * 0.45, upper_y, mx + mw * 0.45, upper_y + gap * 0.35), fill=teeth)
    draw.polygon([(mx - mw, my), (mx - mw * 0.45, upper_y - lt), (mx, upper_y - lt * 0.7), (mx + mw * 0.45, upper_y - lt),
                  (mx + mw, my), (mx, upper_y)], fill=lip)
    draw.chord(face.box(mx, lower_y, mw * 0.85, lt * 1.25), 0, 180, fill=lip)
    if not gap:
        draw.line([(mx - mw, my), (mx, my + lt * 0.1), (mx + mw, my)], fill=_rgb(np.array(lip) * 0.55), width=line)


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
    face = _Face(uniforms, attrs, width)

    canvas = _draw_background(face)
    _draw_soft_layer(ImageDraw.Draw(canvas), face)
    canvas = canvas.filter(ImageFilter.BoxBlur(0.9 * face.k))
    _draw_sharp_layer(ImageDraw.Draw(canvas), face)
    image = canvas.reduce(CANVAS_FACTOR)
    if attrs["Blurry"]:
        image = image.filter(ImageFilter.GaussianBlur(1.3 * size / 64))
    return Image.fromarray(_finish(np.asarray(image, dtype=np.float32), face, noise))


def _finish(pixels: np.ndarray, face: _Face, noise: np.ndarray) -> np.ndarray:
    """Global lighting ramp, exposure, colour cast and sensor noise."""
    xx, yy = _unit_grid(pixels.shape[0])
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
