"""Make a clean render look like a phone photo of it: on a table, in perspective, unevenly lit,
blurred, noisy, smaller, and later JPEG-compressed. Text stays legible to a person.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from atlasflow.synth.model import Medium
from atlasflow.synth.scenes import cast_shadow, light_gradient, paste_quad, surface

# JPEG quality range of degraded outputs (messaging apps and upload widgets recompress hard).
DEGRADED_JPEG_QUALITY = (35, 70)


def _quad(
    rng: random.Random, *, cx: float, cy: float, w: float, h: float, angle_deg: float, keystone: float
) -> list[tuple[float, float]]:
    """Corners (TL, TR, BR, BL) of a w×h rectangle rotated by `angle_deg`, with perspective jitter."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    # keystone: the edge nearer the camera is wider, as when a phone is tilted over the page
    top_shrink = keystone if rng.random() < 0.7 else -keystone
    out = []
    for k, (x, y) in enumerate(corners):
        if k < 2:
            x *= 1 - top_shrink
        x += w * rng.uniform(-0.02, 0.02)
        y += h * rng.uniform(-0.015, 0.015)
        out.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return out


def _soft_shadow(canvas: Image.Image, quad: list[tuple[float, float]], rng: random.Random) -> None:
    mask = Image.new("L", canvas.size, 0)
    off = (rng.uniform(4, 14), rng.uniform(6, 18))
    ImageDraw.Draw(mask).polygon([(x + off[0], y + off[1]) for x, y in quad], fill=110)
    mask = mask.filter(ImageFilter.BoxBlur(10))
    canvas.paste(Image.new("RGB", canvas.size, (20, 20, 20)), (0, 0), mask)


def _camera(
    img: Image.Image, rng: random.Random, *, blur: tuple[float, float], noise: tuple[float, float]
) -> Image.Image:
    """Defocus or hand shake, then sensor noise."""
    arr = np.asarray(img)
    if rng.random() < 0.3:
        length = rng.randint(3, 6)
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        kernel /= max(kernel.sum(), 1e-6)
        arr = cv2.filter2D(arr, -1, kernel)
    else:
        sigma = rng.uniform(*blur)
        if sigma > 0.2:
            arr = cv2.GaussianBlur(arr, (0, 0), sigma)
    np_rng = np.random.default_rng(rng.getrandbits(32))
    sigma_n = rng.uniform(*noise)
    # luminance noise on one channel is what phone sensors leave after denoising, and is 3x cheaper
    grain = np_rng.standard_normal(arr.shape[:2], dtype=np.float32) * sigma_n
    out = np.clip(arr.astype(np.float32) + grain[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(out)


def photograph_document(img: Image.Image, rng: random.Random, medium: Medium) -> Image.Image:
    """A phone photo of a page, receipt or card lying on a surface."""
    w, h = img.size
    if medium is Medium.CARD:
        scale = rng.uniform(0.95, 1.25)
        margin = rng.uniform(0.12, 0.3)
    elif medium is Medium.RECEIPT:
        scale = rng.uniform(0.8, 1.0)
        margin = rng.uniform(0.08, 0.2)
    else:
        scale = rng.uniform(0.78, 0.95)
        margin = rng.uniform(0.04, 0.1)
    dw, dh = w * scale, h * scale
    cw, ch = int(dw * (1 + 2 * margin)), int(dh * (1 + 2 * margin))
    angle = rng.uniform(1, 6) * rng.choice((-1, 1))
    # grow the canvas so the rotated document never leaves the frame
    a = math.radians(abs(angle))
    cw = int(max(cw, dw * math.cos(a) + dh * math.sin(a) + 2 * dw * margin))
    ch = int(max(ch, dh * math.cos(a) + dw * math.sin(a) + 2 * dh * margin))
    canvas = surface(rng, (cw, ch))
    quad = _quad(
        rng,
        cx=cw / 2 + rng.uniform(-0.03, 0.03) * cw,
        cy=ch / 2 + rng.uniform(-0.03, 0.03) * ch,
        w=dw,
        h=dh,
        angle_deg=angle,
        keystone=rng.uniform(0.0, 0.06),
    )
    _soft_shadow(canvas, quad, rng)
    paste_quad(canvas, texture=img, quad=quad)
    canvas = light_gradient(canvas, rng, strength=rng.uniform(0.15, 0.45))
    if rng.random() < 0.35:
        canvas = cast_shadow(canvas, rng, darkness=rng.uniform(0.2, 0.4))
    canvas = _camera(canvas, rng, blur=(0.3, 1.1), noise=(2.0, 6.0))
    if rng.random() < 0.2:
        canvas = canvas.transpose(
            rng.choice((Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270))
        )
    return canvas


def degrade_photo(img: Image.Image, rng: random.Random, *, allow_quarter_turns: bool) -> Image.Image:
    """A worse photo of a scene that is already a photo: tilt, light, blur, noise, lower resolution.

    Edges are replicated rather than mirrored after the tilt so that no second face can appear.
    """
    w, h = img.size
    angle = rng.uniform(1, 4) * rng.choice((-1, 1))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    arr = cv2.warpAffine(
        np.asarray(img), rot, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    out = light_gradient(Image.fromarray(arr), rng, strength=rng.uniform(0.1, 0.35))
    out = _camera(out, rng, blur=(0.4, 1.2), noise=(2.0, 7.0))
    factor = rng.uniform(0.75, 1.0)
    out = out.resize((int(w * factor), int(h * factor)), Image.Resampling.BILINEAR)
    if allow_quarter_turns and rng.random() < 0.2:
        out = out.transpose(
            rng.choice((Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270))
        )
    return out
