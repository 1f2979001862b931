"""Geometry and colours of one procedural celeb face, drawn by :mod:`celeb_draw`."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from genlab.vocab import HAIR_GROUP

# Hair colours the renderer draws as labelled groups ("other" is red, none of them).
HAIR_COLOR_ATTRIBUTES: tuple[str, ...] = HAIR_GROUP + ("Gray_Hair",)

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

def hair_group(attrs: dict[str, bool]) -> str:
    groups = [g for g in HAIR_COLOR_ATTRIBUTES if attrs[g]]
    if len(groups) > 1:
        raise ValueError(f"at most one hair colour can be drawn, got {', '.join(groups)}")
    return groups[0] if groups else "other"


def rgb(color) -> tuple[int, int, int]:
    """A colour (any 3 numbers) as the int tuple Pillow wants, clipped to 0..255."""
    r, g, b = color.tolist() if isinstance(color, np.ndarray) else color
    return (min(255, max(0, int(r))), min(255, max(0, int(g))), min(255, max(0, int(b))))


def mix(a, b, t: float) -> np.ndarray:
    return np.asarray(a, dtype=np.float64) * (1.0 - t) + np.asarray(b, dtype=np.float64) * t


@lru_cache(maxsize=8)
def gradient_masks(width: int) -> tuple[Image.Image, ...]:
    """Soft background blend masks: vertical, horizontal and two diagonals."""
    ramp = np.linspace(0.0, 1.0, width)
    yy, xx = np.meshgrid(ramp, ramp, indexing="ij")
    masks = [yy, xx, (xx + yy) / 2, (1 - xx + yy) / 2]
    return tuple(Image.fromarray((m * 255).astype(np.uint8), mode="L") for m in masks)


@lru_cache(maxsize=8)
def unit_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    coords = np.linspace(-1.0, 1.0, size, dtype=np.float32)
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    return xx, yy


_ARC_ANGLES = np.linspace(0.0, 2.0 * np.pi, 40, endpoint=False)


class Face:
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
        skin = mix(_SKIN_TONES[lo], _SKIN_TONES[lo + 1], tone - lo)
        if a["Pale_Skin"]:
            skin = mix(_PALE_SKIN, skin, 0.1)
        self.skin = skin * (1.0 + 0.04 * (u[6] - 0.5))

        self.hair_group = hair_group(a)
        hair = _HAIR_COLORS[self.hair_group] * (1.0 + 0.14 * (u[7] - 0.5)) + 10.0 * (u[8] - 0.5)
        self.hair = hair
        self.hair_light = mix(hair, (255, 240, 210), 0.2) + 10
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
        self.bg1 = mix(base, base.mean(), 0.45)
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
