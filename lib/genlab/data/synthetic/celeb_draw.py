"""Drawing a :class:`~celeb_face.Face` with Pillow: the soft layer (blurred), then the sharp details."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from genlab.data.synthetic.celeb_face import Face, gradient_masks, mix, rgb


def draw_background(face: Face) -> Image.Image:
    W = face.W
    first = Image.new("RGB", (W, W), rgb(face.bg1))
    second = Image.new("RGB", (W, W), rgb(face.bg2))
    return Image.composite(second, first, gradient_masks(W)[face.bg_mask])


def _wavy_side(face: Face, x0: float, x1: float, y0: float, y1: float, wavy: bool, n: int = 9) -> list[tuple]:
    """Points of a hair edge from (x0, y0) to (x1, y1), sinusoidal when wavy."""
    pts = []
    amplitude = 0.14 * face.fw if wavy else 0.0
    for i in range(n):
        t = i / (n - 1)
        wobble = amplitude * np.sin(face.wave_phase + t * 3.0 * np.pi) * min(1.0, 3 * t)
        pts.append((x0 + (x1 - x0) * t + wobble, y0 + (y1 - y0) * t))
    return pts


def _hair_front(face: Face) -> list[tuple]:
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


def draw_soft_layer(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Everything that gets the soft-focus blur: hair masses, skin and its shading, stubble, make-up."""
    long_hair = not face.a["Male"] and not face.a["Bald"]
    if long_hair:
        _draw_long_hair_behind(draw, face)
    _draw_body(draw, face)
    _draw_skin(draw, face)
    _draw_eye_shading(draw, face)
    _draw_hair_mass(draw, face, long_hair)


def _draw_long_hair_behind(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Long hair behind head and shoulders."""
    cx, cy, fw, fh = face.cx, face.cy, face.fw, face.fh
    top = face.cap_cy
    bottom = cy + fh * (0.55 + face.hair_length)
    half = fw * 1.3 * face.hair_volume
    crown = [(cx + half * np.cos(t), top + face.cap_ry * np.sin(t)) for t in np.linspace(np.pi, 2 * np.pi, 9)]
    left = _wavy_side(face, cx - half, cx - half * 1.08, top, bottom, face.a["Wavy_Hair"], n=13)
    right = _wavy_side(face, cx + half, cx + half * 1.08, top, bottom, face.a["Wavy_Hair"], n=13)
    draw.polygon(crown + right + left[::-1], fill=rgb(face.hair_dark))


def _draw_body(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Shoulders, neck, ears."""
    cx, cy, fw, fh, W, skin = face.cx, face.cy, face.fw, face.fh, face.W, face.skin
    draw.ellipse((cx - 0.56 * W, cy + 1.08 * fh, cx + 0.56 * W, cy + 1.08 * fh + 0.5 * W), fill=rgb(face.clothes))
    neck_half = fw * (0.5 if face.a["Male"] else 0.42)
    draw.rectangle((cx - neck_half, cy + 0.4 * fh, cx + neck_half, cy + 1.3 * fh), fill=rgb(skin * 0.7))
    for side in (-1, 1):
        ex = cx + side * fw * 0.97
        draw.ellipse(face.box(ex, face.eye_y + 0.12 * fh, fw * 0.12, fh * 0.16), fill=rgb(skin * 0.88))


def _draw_skin(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """The face: shadowed outline, lit inner area offset toward the light, cheeks and stubble."""
    a = face.a
    cx, cy, fw, fh, skin = face.cx, face.cy, face.fw, face.fh, face.skin
    draw.polygon(face.outline(), fill=rgb(skin * 0.84))
    lx, ly = face.light
    off = 0.6 * face.light_strength / 0.16
    draw.ellipse(face.box(cx + lx * fw * 0.12 * off, cy - 0.05 * fh + ly * fh * 0.08 * off, fw * 0.84, fh * 0.86),
                 fill=rgb(skin))
    if a["Double_Chin"]:
        draw.ellipse(face.box(cx, face.chin_y + 0.05 * fh, fw * 0.5, fh * 0.13), fill=rgb(skin * 0.92))

    if a["High_Cheekbones"]:
        for side in (-1, 1):
            x = cx + face.shift + side * fw * 0.52
            draw.ellipse(face.box(x + side * fw * 0.05, face.cy + 0.25 * fh, fw * 0.24, fh * 0.08), fill=rgb(skin * 0.86))
            draw.ellipse(face.box(x, face.cy + 0.1 * fh, fw * 0.24, fh * 0.1), fill=rgb(skin * 1.12 + 8))
    if a["Rosy_Cheeks"]:
        for side in (-1, 1):
            x = cx + face.shift + side * fw * 0.5
            draw.ellipse(face.box(x, face.cy + 0.2 * fh, fw * 0.2, fh * 0.11), fill=rgb(mix(skin, (235, 90, 100), 0.5)))

    # Stubble: a grey-blue tint over jaw and upper lip.
    if a["5_o_Clock_Shadow"]:
        jaw = face.outline(t=np.linspace(0.1 * np.pi, 0.9 * np.pi, 14))
        upper = [cx + face.shift + fw * 0.62, face.nose_y + 0.06 * fh, cx + face.shift - fw * 0.62, face.nose_y + 0.06 * fh]
        draw.polygon(jaw + upper, fill=rgb(mix(skin * 0.8, (70, 75, 90), 0.35)))


def _draw_eye_shading(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Eye make-up and bags under the eyes."""
    a, fw, fh, skin = face.a, face.fw, face.fh, face.skin
    ew = fw * 0.2
    for side in (-1, 1):
        ex = face.cx + face.shift + side * fw * face.eye_spacing
        if a["Heavy_Makeup"]:
            draw.ellipse(face.box(ex + side * ew * 0.1, face.eye_y - 0.04 * fh, ew * 1.45, fh * 0.1),
                         fill=rgb(mix(skin, face.makeup, 0.75)))
        if a["Bags_Under_Eyes"]:
            draw.ellipse(face.box(ex, face.eye_y + 0.1 * fh, ew * 1.15, fh * 0.07), fill=rgb(mix(skin, (90, 60, 75), 0.5)))


def _draw_hair_mass(draw: ImageDraw.ImageDraw, face: Face, long_hair: bool) -> None:
    """Hair on the head: the cap, curls, side locks or a bald head's fringe, sideburns, bangs."""
    a = face.a
    cx, cy, fw, fh = face.cx, face.cy, face.fw, face.fh
    hair = rgb(face.hair)
    wavy = a["Wavy_Hair"]
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


def draw_sharp_layer(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Fine details drawn after the soft-focus blur: eyes, brows, nose, mouth, lines, accessories."""
    _draw_eyes(draw, face)
    nx, nw = _draw_nose(draw, face)
    mx = face.cx + face.shift * 1.1
    my = face.mouth_y
    mw = face.fw * face.mouth_width * (face.smile_width if face.a["Smiling"] else 1.0)
    _draw_age_lines(draw, face, nx, nw, mx, my)
    _draw_mouth(draw, face, mx, my, mw)
    _draw_facial_hair(draw, face, mx, my, mw)
    if not face.a["Bald"]:
        _draw_hair_strands(draw, face)
    _draw_accessories(draw, face)


def _eye_size(face: Face) -> tuple[float, float]:
    ew = face.fw * 0.2
    return ew, ew * (0.22 if face.a["Narrow_Eyes"] else 0.48)


def _draw_eyes(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Brows, then each eye: white, iris, pupil, upper lid line, crow's feet with age."""
    a, k = face.a, face.k
    cx, fw, fh = face.cx, face.fw, face.fh
    line = max(1, round(k))
    brow_width = max(1, round(k * (3.4 if a["Bushy_Eyebrows"] else (1.9 if a["Male"] else 1.2))))
    arch = 0.14 * fh if a["Arched_Eyebrows"] else 0.0
    ew, eh = _eye_size(face)
    for side in (-1, 1):
        ex = cx + face.shift + side * fw * face.eye_spacing
        inner = (ex - side * ew * 1.1, face.brow_y + 0.02 * fh)
        peak = (ex + side * ew * 0.4, face.brow_y - arch)
        outer = (ex + side * ew * 1.25, face.brow_y + (0.05 * fh if a["Arched_Eyebrows"] else 0.015 * fh))
        draw.line([inner, peak, outer], fill=rgb(face.brow), width=brow_width, joint="curve")

        draw.ellipse(face.box(ex, face.eye_y, ew, eh), fill=(236, 230, 226))
        ix = ex + face.yaw * ew * 0.25
        r = min(eh * 0.95, ew * 0.5)
        draw.ellipse(face.box(ix, face.eye_y, r, r), fill=rgb(face.eye_color))
        draw.ellipse(face.box(ix, face.eye_y, r * 0.45, r * 0.45), fill=(15, 10, 10))
        lid_width = max(1, round(k * (2.0 if a["Heavy_Makeup"] or a["Narrow_Eyes"] else 1.2)))
        draw.arc(face.box(ex, face.eye_y, ew, eh), 190, 350, fill=(30, 20, 20), width=lid_width)
        if not a["Young"]:
            x0 = ex + side * ew * 1.15
            for dy in (-0.3, 0.3):
                draw.line([(x0, face.eye_y), (x0 + side * ew * 0.45, face.eye_y + dy * eh * 2)],
                          fill=rgb(face.skin * 0.72), width=line)


def _draw_nose(draw: ImageDraw.ImageDraw, face: Face) -> tuple[float, float]:
    """The nose; returns its centre x and half-width, which the age lines start from."""
    a, k, fh, skin = face.a, face.k, face.fh, face.skin
    nx = face.cx + face.shift * 1.4
    nw = face.fw * (0.25 if a["Big_Nose"] else 0.15)
    shadow_side = -1 if face.light[0] > 0 else 1
    draw.line([(nx + shadow_side * nw * 0.4, face.eye_y + 0.08 * fh), (nx + shadow_side * nw * 0.7, face.nose_y - 0.05 * fh)],
              fill=rgb(skin * 0.8), width=max(1, round(k * (1.6 if a["Big_Nose"] else 1.0))))
    draw.ellipse(face.box(nx, face.nose_y, nw, (0.075 if a["Big_Nose"] else 0.05) * fh), fill=rgb(skin * 0.8))
    if a["Pointy_Nose"]:
        # A narrow lit ridge ending in a sharp tip with a shadow under it.
        draw.polygon([(nx - nw * 0.45, face.nose_y + 0.03 * fh), (nx + nw * 0.45, face.nose_y + 0.03 * fh),
                      (nx, face.nose_y + 0.11 * fh)], fill=rgb(skin * 0.68))
        draw.polygon([(nx - nw * 0.3, face.eye_y + 0.06 * fh), (nx + nw * 0.3, face.eye_y + 0.06 * fh),
                      (nx + nw * 0.4, face.nose_y), (nx, face.nose_y + 0.05 * fh), (nx - nw * 0.4, face.nose_y)],
                     fill=rgb(skin * 1.1 + 10))
    for side in (-1, 1):
        nostril = nw * (0.3 if a["Big_Nose"] else 0.22)
        draw.ellipse(face.box(nx + side * nw * 0.5, face.nose_y + 0.01 * fh, nostril, 0.025 * fh), fill=rgb(skin * 0.5))
    return nx, nw


def _draw_age_lines(draw: ImageDraw.ImageDraw, face: Face, nx: float, nw: float, mx: float, my: float) -> None:
    """Forehead lines, nose-to-mouth folds and jowls with age; the double chin's crease."""
    a, k = face.a, face.k
    cx, fw, fh, skin = face.cx, face.fw, face.fh, face.skin
    line = max(1, round(k))
    if not a["Young"]:
        wrinkle = rgb(skin * 0.7)
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
        draw.arc(face.box(cx, face.chin_y + 0.05 * fh, fw * 0.5, fh * 0.13), 20, 160, fill=rgb(skin * 0.62),
                 width=max(1, round(1.5 * k)))


def _draw_facial_hair(draw: ImageDraw.ImageDraw, face: Face, mx: float, my: float, mw: float) -> None:
    """Mustache and goatee over the mouth area."""
    a, fw, fh = face.a, face.fw, face.fh
    lt = fh * (0.085 if a["Big_Lips"] else 0.045)
    beard = rgb(mix(face.hair, (40, 30, 25), 0.3))
    if a["Mustache"]:
        y = my - lt * 1.3 - 0.04 * fh
        thick = 0.06 * fh
        draw.polygon([(mx - mw * 1.15, y + thick * 1.6), (mx - mw * 0.6, y - thick), (mx + mw * 0.6, y - thick),
                      (mx + mw * 1.15, y + thick * 1.6), (mx, y + thick * 0.6)], fill=beard)
    if a["Goatee"]:
        gx = face.cx + face.shift * 0.6
        draw.chord(face.box(gx, face.chin_y - 0.2 * fh, fw * 0.3, fh * 0.17), 0, 180, fill=beard)
        draw.rectangle((gx - fw * 0.12, my + lt * 1.6, gx + fw * 0.12, face.chin_y - 0.16 * fh), fill=beard)


def _draw_hair_strands(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Hair texture: straight or wavy strands, grey streaks with age."""
    a, k = face.a, face.k
    cx, cy, fw, fh = face.cx, face.cy, face.fw, face.fh
    light = rgb(face.hair_light)
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
            draw.line([(x + 0.08 * fw, y0), (x + 0.1 * fw, y1)], fill=(205, 205, 205), width=max(1, round(k)))


def _draw_accessories(draw: ImageDraw.ImageDraw, face: Face) -> None:
    """Glasses, hat, earrings, necklace, necktie."""
    a, k = face.a, face.k
    cx, cy, fw, fh = face.cx, face.cy, face.fw, face.fh
    if a["Eyeglasses"]:
        ew, _ = _eye_size(face)
        frame = rgb(face.frame)
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
        hat = rgb(face.hat)
        brim_y = face.hairline_y - 0.06 * fh
        draw.chord(face.box(cx, brim_y, fw * 1.12, fh * 0.78), 180, 360, fill=hat)
        draw.rounded_rectangle((cx - fw * 1.4, brim_y - 0.07 * fh, cx + fw * 1.4, brim_y + 0.06 * fh), radius=0.05 * fh,
                               fill=rgb(face.hat * 0.75))
    if a["Wearing_Earrings"]:
        for side in (-1, 1):
            x, y = cx + side * fw * 0.99, face.eye_y + 0.3 * fh
            draw.ellipse(face.box(x, y, fw * 0.055, fw * 0.055), fill=rgb(face.accessory))
            draw.ellipse(face.box(x, y + fw * 0.12, fw * 0.07, fw * 0.07), fill=rgb(face.accessory))
    if a["Wearing_Necklace"]:
        y = cy + 1.06 * fh
        draw.arc((cx - fw * 0.5, y - 0.2 * fh, cx + fw * 0.5, y + 0.12 * fh), 20, 160, fill=rgb(face.accessory),
                 width=max(1, round(3 * k)))
    if a["Wearing_Necktie"]:
        y = cy + 1.12 * fh
        draw.polygon([(cx - fw * 0.5, y), (cx, y + 0.22 * fh), (cx + fw * 0.5, y), (cx + fw * 0.55, y + 0.2 * fh),
                      (cx - fw * 0.55, y + 0.2 * fh)], fill=(235, 235, 235))
        draw.polygon([(cx - fw * 0.1, y + 0.1 * fh), (cx + fw * 0.1, y + 0.1 * fh), (cx + fw * 0.16, face.W),
                      (cx - fw * 0.16, face.W)], fill=rgb(face.tie))


def _draw_mouth(draw: ImageDraw.ImageDraw, face: Face, mx: float, my: float, mw: float) -> None:
    a, fh = face.a, face.fh
    lt = fh * (0.085 if a["Big_Lips"] else 0.045)
    skin = face.skin
    natural = np.array((skin[0] * 0.84 + 8, skin[1] * 0.68, skin[2] * 0.7))
    lip = rgb(face.lipstick if a["Wearing_Lipstick"] else natural)
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
        draw.line([(mx - mw, my), (mx, my + lt * 0.1), (mx + mw, my)], fill=rgb(np.array(lip) * 0.55), width=line)
