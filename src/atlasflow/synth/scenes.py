"""Photo-like scenes: rooms, tables, textures, lighting, and people cut out of the sample photos
shipped inside scikit-image and matplotlib (the only real faces the generator ever uses).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from atlasflow.synth.errors import SceneLayoutError
from atlasflow.synth.render import Colour

PHOTO = (1280, 960)


# ---------------------------------------------------------------------- textures


def _noise(rng: random.Random, size: tuple[int, int], scale: int) -> np.ndarray:
    """Smooth value noise in [0, 1]: random grid upscaled bicubically."""
    w, h = size
    np_rng = np.random.default_rng(rng.getrandbits(32))
    small = (np_rng.random((max(2, h // scale), max(2, w // scale))) * 255).astype(np.uint8)
    return (
        np.asarray(Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32) / 255.0
    )


def wall(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A painted wall: a soft colour, a light falloff and a little plaster texture."""
    base = np.array(
        rng.choice(
            [
                (226, 218, 200),
                (210, 222, 226),
                (235, 232, 225),
                (214, 200, 180),
                (232, 220, 228),
                (205, 215, 196),
            ]
        ),
        dtype=np.float32,
    )
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    lx, ly = rng.uniform(0, w), rng.uniform(-h * 0.3, h * 0.3)
    light = 1.08 - 0.25 * np.sqrt(((xs - lx) / w) ** 2 + ((ys - ly) / h) ** 2)
    tex = 0.96 + 0.06 * _noise(rng, size, 6)
    img = base[None, None, :] * (light * tex)[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def wood(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Wood grain: long streaks along one axis with gently wavering stripes and fine noise."""
    w, h = size
    base = np.array(
        rng.choice([(150, 100, 60), (120, 80, 50), (180, 135, 90), (95, 60, 38), (165, 120, 80)]),
        dtype=np.float32,
    )
    vertical = rng.random() < 0.5
    np_rng = np.random.default_rng(rng.getrandbits(32))
    # noise stretched along the grain: few samples along it, many across
    across, along = (w, h) if vertical else (h, w)
    small = np_rng.random((max(2, along // 90), max(2, across // 3))).astype(np.float32)
    streak = (
        np.asarray(
            Image.fromarray((small * 255).astype(np.uint8)).resize((across, along), Image.Resampling.BICUBIC),
            dtype=np.float32,
        )
        / 255
    )
    pos = np.arange(across, dtype=np.float32)[None, :] + (
        _noise(rng, (across, along), 80) * rng.uniform(15, 35)
    )
    stripes = 0.5 + 0.5 * np.sin(pos * rng.uniform(0.04, 0.09))
    shade = 0.72 + 0.16 * stripes + 0.14 * streak
    if not vertical:
        shade = shade.T
    img = base[None, None, :] * shade[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def fabric(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A plain cloth or bedsheet: one colour with a woven fine texture."""
    w, h = size
    base = np.array(
        rng.choice(
            [(60, 70, 110), (150, 40, 50), (70, 110, 80), (200, 190, 170), (90, 90, 95), (170, 120, 60)]
        ),
        dtype=np.float32,
    )
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    weave = 0.95 + 0.05 * np.sin(xs * 1.3) * np.sin(ys * 1.3)
    folds = 0.85 + 0.2 * _noise(rng, size, 120)
    img = base[None, None, :] * (weave * folds)[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def stone(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A granite or tiled floor: speckles over a grey/beige base."""
    base = np.array(
        rng.choice([(120, 120, 125), (190, 180, 165), (60, 60, 62), (210, 205, 200)]), dtype=np.float32
    )
    np_rng = np.random.default_rng(rng.getrandbits(32))
    w, h = size
    speck = np_rng.normal(1.0, 0.08, (h, w)).astype(np.float32)
    blotch = 0.9 + 0.15 * _noise(rng, size, 40)
    img = base[None, None, :] * (speck * blotch)[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def surface(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Something a document is photographed on."""
    return rng.choice((wood, wood, fabric, stone))(rng, size)


def light_gradient(img: Image.Image, rng: random.Random, *, strength: float = 0.3) -> Image.Image:
    """Uneven light: one side brighter than the other, as from a window."""
    w, h = img.size
    angle = rng.uniform(0, math.tau)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xs / w - 0.5) * math.cos(angle) + (ys / h - 0.5) * math.sin(angle)) + 0.5
    gain = 1 - strength / 2 + strength * ramp
    arr = np.asarray(img, dtype=np.float32) * gain[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def cast_shadow(img: Image.Image, rng: random.Random, *, darkness: float = 0.35) -> Image.Image:
    """A soft shadow (a phone or a hand) falling across part of the picture."""
    w, h = img.size
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    edge = rng.randrange(4)
    depth = rng.uniform(0.15, 0.45)
    if edge == 0:
        d.polygon([(0, 0), (w * depth, 0), (w * depth * rng.uniform(0.4, 1.6), h), (0, h)], fill=255)
    elif edge == 1:
        d.polygon(
            [(w, 0), (w * (1 - depth), 0), (w * (1 - depth * rng.uniform(0.4, 1.6)), h), (w, h)], fill=255
        )
    elif edge == 2:
        d.polygon([(0, 0), (w, 0), (w, h * depth * rng.uniform(0.4, 1.6)), (0, h * depth)], fill=255)
    else:
        d.ellipse(
            (w * rng.uniform(-0.3, 0.6), h * rng.uniform(0.4, 0.9), w * rng.uniform(0.7, 1.4), h * 1.6),
            fill=255,
        )
    mask = mask.filter(ImageFilter.GaussianBlur(max(w, h) * 0.04))
    dark = ImageEnhance.Brightness(img).enhance(1 - darkness)
    return Image.composite(dark, img, mask)


# ---------------------------------------------------------------------- people from shipped photos


@dataclass(frozen=True, slots=True)
class _Source:
    name: str
    head: tuple[tuple[float, float], ...]  # outline of hair, face and chin, source pixels
    body: tuple[tuple[float, float], ...]  # shoulders/torso polygon, source pixels
    face_height: float  # frontal face box height a detector reports on the source


# Hand-traced outlines on the two frontal portraits; camera() is not used because its face
# is in profile and a frontal face detector does not find it.
_SOURCES = (
    _Source(
        "astronaut",
        (
            (225, 14),
            (262, 20),
            (290, 45),
            (300, 80),
            (296, 112),
            (282, 135),
            (266, 162),
            (252, 184),
            (225, 192),
            (200, 186),
            (190, 170),
            (182, 150),
            (163, 112),
            (152, 82),
            (162, 45),
            (190, 22),
        ),
        (
            (118, 180),
            (150, 160),
            (190, 172),
            (260, 172),
            (280, 165),
            (296, 185),
            (302, 210),
            (298, 240),
            (335, 262),
            (358, 330),
            (362, 512),
            (18, 512),
            (22, 330),
            (40, 270),
            (110, 235),
        ),
        95.0,
    ),
    _Source(
        "grace_hopper",
        (
            (255, 25),
            (300, 30),
            (335, 45),
            (352, 70),
            (356, 110),
            (352, 160),
            (352, 200),
            (345, 245),
            (330, 285),
            (305, 318),
            (270, 336),
            (240, 332),
            (210, 315),
            (185, 285),
            (165, 245),
            (158, 200),
            (155, 160),
            (152, 110),
            (158, 70),
            (180, 42),
            (215, 28),
        ),
        (
            (210, 318),
            (320, 318),
            (345, 335),
            (400, 352),
            (460, 385),
            (500, 430),
            (512, 600),
            (15, 600),
            (22, 440),
            (45, 395),
            (95, 360),
            (160, 340),
        ),
        222.0,
    ),
)


@cache
def _source_image(name: str) -> Image.Image:
    if name == "astronaut":
        from skimage import data

        return Image.fromarray(data.astronaut())
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return Image.open(fh).convert("RGB")


@cache
def _cutout(name: str) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """The person on a transparent background, and the face box within it."""
    src = next(s for s in _SOURCES if s.name == name)
    img = _source_image(name)
    mask = Image.new("L", img.size, 0)
    d = ImageDraw.Draw(mask)
    d.polygon(list(src.head), fill=255)
    d.polygon(list(src.body), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(1.5))
    out = img.convert("RGBA")
    out.putalpha(mask)
    bbox = mask.getbbox() or (0, 0, *img.size)
    out = out.crop(bbox)
    hx0, hx1 = min(p[0] for p in src.head), max(p[0] for p in src.head)
    hy0, hy1 = min(p[1] for p in src.head), max(p[1] for p in src.head)
    face = (int(hx0 - bbox[0]), int(hy0 - bbox[1]), int(hx1 - bbox[0]), int(hy1 - bbox[1]))
    return out, face


@dataclass(frozen=True, slots=True)
class Bust:
    image: Image.Image  # RGBA
    face: tuple[int, int, int, int]  # head box within image


def person(rng: random.Random, face_height: int) -> Bust:
    """A person cut-out scaled so the detector-sized face is `face_height` px, randomly varied."""
    src = rng.choice(_SOURCES)
    img, head = _cutout(src.name)
    scale = face_height / src.face_height
    img = img.resize(
        (max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.Resampling.LANCZOS
    )
    hx0, hy0, hx1, hy1 = (int(v * scale) for v in head)
    if rng.random() < 0.5:
        img = ImageOps.mirror(img)
        hx0, hx1 = img.width - hx1, img.width - hx0
    alpha = img.getchannel("A")
    rgb = ImageEnhance.Brightness(img.convert("RGB")).enhance(rng.uniform(0.82, 1.15))
    rgb = ImageEnhance.Color(rgb).enhance(rng.uniform(0.8, 1.15))
    rgb.putalpha(alpha)
    return Bust(rgb, (hx0, hy0, hx1, hy1))


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int], margin: int = 0) -> bool:
    return a[0] - margin < b[2] and b[0] - margin < a[2] and a[1] - margin < b[3] and b[1] - margin < a[3]


def place_people(
    canvas: Image.Image,
    rng: random.Random,
    count: int,
    *,
    head_band: tuple[int, int],
    floor_y: int,
    avoid: tuple[tuple[int, int, int, int], ...] = (),
    face_range: tuple[int, int] = (120, 190),
) -> list[tuple[int, int, int, int]]:
    """Paste `count` people so that no head is covered by another person's body or by `avoid` boxes.

    `head_band` bounds the heads vertically (top of hair, bottom of chin); every cut-out reaches
    below `floor_y`, where a table will hide its lower edge. Returns the head boxes.
    Raises SceneLayoutError when the people cannot be placed, rather than return a wrong count.
    """
    w, _ = canvas.size
    placed: list[tuple[Bust, int, int]] = []
    heads: list[tuple[int, int, int, int]] = []
    for _ in range(count):
        for attempt in range(60):
            lo, hi = face_range
            if attempt > 30:  # crowded: smaller people fit more easily
                hi = max(lo, hi - 40)
            bust = person(rng, rng.randint(lo, hi))
            fw, fh = bust.face[2] - bust.face[0], bust.face[3] - bust.face[1]
            hx = rng.randint(10, max(11, w - fw - 10))
            lowest_top = floor_y + 5 - (bust.image.height - bust.face[1])
            top_min = max(head_band[0], lowest_top)
            if top_min > head_band[1] - fh:
                continue
            hy = rng.randint(top_min, head_band[1] - fh)
            head = (hx, hy, hx + fw, hy + fh)
            ox, oy = hx - bust.face[0], hy - bust.face[1]
            body = (ox, hy + fh, ox + bust.image.width, oy + bust.image.height)
            # people are pasted in order, so only a later body can hide an earlier head
            if any(_overlaps(head, other, 25) for other in heads) or any(_overlaps(head, b) for b in avoid):
                continue
            if any(_overlaps(body, other) for other in heads):
                continue
            placed.append((bust, ox, oy))
            heads.append(head)
            break
        else:
            raise SceneLayoutError("could not place the people without covering a face")
    for bust, ox, oy in placed:
        canvas.paste(bust.image, (ox, oy), bust.image)
    return heads


def brand_colour(brand: str) -> tuple[Colour, Colour]:
    """(box colour, print colour) by brand family, so boxes look like the brand's packaging."""
    return {
        "Samsung": ((245, 245, 245), (20, 40, 120)),
        "Redmi": ((250, 250, 250), (240, 90, 20)),
        "POCO": ((250, 210, 0), (20, 20, 20)),
        "vivo": ((235, 240, 250), (20, 80, 200)),
        "OPPO": ((250, 250, 250), (0, 120, 80)),
        "realme": ((250, 200, 20), (20, 20, 20)),
        "OnePlus": ((200, 20, 40), (250, 250, 250)),
        "Motorola": ((25, 25, 30), (235, 235, 235)),
        "Apple": ((250, 250, 250), (30, 30, 30)),
    }.get(brand, ((196, 160, 110), (40, 40, 40)))


def paste_quad(canvas: Image.Image, *, texture: Image.Image, quad: list[tuple[float, float]]) -> None:
    """Warp `texture` onto the quadrilateral `quad` (TL, TR, BR, BL) of `canvas`, in place."""
    import cv2

    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
    x1, y1 = min(canvas.width, int(max(xs)) + 2), min(canvas.height, int(max(ys)) + 2)
    if x1 <= x0 or y1 <= y0:
        return
    tex = texture.convert("RGBA")
    src = np.float32([[0, 0], [tex.width, 0], [tex.width, tex.height], [0, tex.height]])
    dst = np.float32([[x - x0, y - y0] for x, y in quad])
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(
        np.asarray(tex),
        matrix,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0, 0),
    )
    patch = Image.fromarray(warped, "RGBA")
    canvas.paste(patch.convert("RGB"), (x0, y0), patch.getchannel("A"))
