"""Drawing helpers shared by the document renderers: a page that remembers its text runs
(for digital PDFs), signatures, stamps, watermarks, barcodes, QR codes and photo placeholders.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

import barcode
import numpy as np
import qrcode
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from atlasflow.synth.fonts import load_font

Colour = tuple[int, int, int]
Box = tuple[int, int, int, int]
BLACK: Colour = (0, 0, 0)
INK_BLUE: Colour = (24, 40, 140)


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, as SPEC §3 wants names, addresses and models."""
    return re.sub(r"\s+", " ", text).strip()


def join_lines(lines: list[str] | tuple[str, ...]) -> str:
    """Truth form of a multi-line value: lines joined by ', ' (a printed trailing comma is not doubled)."""
    parts = [collapse(line).rstrip(",").strip() for line in lines]
    return ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class TextRun:
    """One piece of text drawn on a page, kept so a digital PDF can carry the same text as vectors."""

    text: str
    font_path: str
    size: int
    x: float
    baseline: float
    fill: Colour


@dataclass(slots=True)
class Page:
    """A raster page plus, when `vector_text`, a text-free copy and the runs drawn on it."""

    width: int
    height: int
    paper: Colour = (255, 255, 255)
    vector_text: bool = False
    img: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)
    graphics: Image.Image | None = field(init=False, default=None)
    gdraw: ImageDraw.ImageDraw | None = field(init=False, default=None)
    runs: list[TextRun] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.img = Image.new("RGB", (self.width, self.height), self.paper)
        self.draw = ImageDraw.Draw(self.img)
        if self.vector_text:
            self.graphics = Image.new("RGB", (self.width, self.height), self.paper)
            self.gdraw = ImageDraw.Draw(self.graphics)

    # ------------------------------------------------------------------ text
    def text(
        self,
        x: float,
        y: float,
        text: str,
        font: ImageFont.FreeTypeFont,
        fill: Colour = BLACK,
        *,
        align: str = "left",
    ) -> Box:
        """Draw `text` with its top at `y`; x is the left, right or centre edge per `align`. Returns its box."""
        if not text:
            return (int(x), int(y), int(x), int(y))
        width = font.getlength(text)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        ascent, descent = font.getmetrics()
        baseline = y + ascent
        self.draw.text((x, baseline), text, font=font, fill=fill, anchor="ls")
        if self.vector_text:
            self.runs.append(TextRun(text, str(font.path), int(font.size), x, baseline, fill))
        return (int(x), int(y), int(x + width), int(y + ascent + descent))

    def text_lines(
        self,
        x: float,
        y: float,
        lines: list[str],
        font: ImageFont.FreeTypeFont,
        fill: Colour = BLACK,
        *,
        spacing: float = 1.25,
        align: str = "left",
    ) -> float:
        """Draw lines one under another; returns the y below the last line."""
        step = line_height(font, spacing)
        for line in lines:
            self.text(x, y, line, font, fill, align=align)
            y += step
        return y

    # ------------------------------------------------------------------ graphics (on both layers)
    def _each(self) -> list[ImageDraw.ImageDraw]:
        return [self.draw] if self.gdraw is None else [self.draw, self.gdraw]

    def line(
        self,
        xy: list[tuple[float, float]] | tuple[float, float, float, float],
        fill: Colour = BLACK,
        width: int = 1,
    ) -> None:
        for d in self._each():
            d.line(xy, fill=fill, width=width)

    def rect(
        self,
        box: tuple[float, float, float, float],
        *,
        outline: Colour | None = BLACK,
        fill: Colour | None = None,
        width: int = 1,
        radius: int = 0,
    ) -> None:
        for d in self._each():
            if radius:
                d.rounded_rectangle(box, radius=radius, outline=outline, fill=fill, width=width)
            else:
                d.rectangle(box, outline=outline, fill=fill, width=width)

    def ellipse(
        self,
        box: tuple[float, float, float, float],
        *,
        outline: Colour | None = BLACK,
        fill: Colour | None = None,
        width: int = 1,
    ) -> None:
        for d in self._each():
            d.ellipse(box, outline=outline, fill=fill, width=width)

    def dashed(
        self,
        x0: float,
        x1: float,
        y: float,
        fill: Colour = BLACK,
        *,
        dash: int = 8,
        gap: int = 5,
        width: int = 1,
    ) -> None:
        x = x0
        while x < x1:
            self.line((x, y, min(x + dash, x1), y), fill=fill, width=width)
            x += dash + gap

    def paste(self, image: Image.Image, xy: tuple[int, int], mask: Image.Image | None = None) -> None:
        """Paste an image (logo, stamp, signature, barcode) onto both layers; RGBA uses its alpha."""
        if image.mode == "RGBA" and mask is None:
            mask = image.getchannel("A")
        rgb = image.convert("RGB")
        self.img.paste(rgb, xy, mask)
        if self.graphics is not None:
            self.graphics.paste(rgb, xy, mask)


def line_height(font: ImageFont.FreeTypeFont, spacing: float = 1.25) -> float:
    ascent, descent = font.getmetrics()
    return (ascent + descent) * spacing


def fit_font(
    path: str, *, text: str, max_width: float, size: int, min_size: int = 9
) -> ImageFont.FreeTypeFont:
    """The largest font of `path` at or below `size` in which `text` fits `max_width`."""
    while size > min_size and load_font(path, size).getlength(text) > max_width:
        size -= 1
    return load_font(path, size)


def fitted(font: ImageFont.FreeTypeFont, text: str, max_width: float) -> ImageFont.FreeTypeFont:
    """`font`, or a smaller size of it, so that `text` fits on one line of `max_width`."""
    return fit_font(str(font.path), text=text, max_width=max_width, size=int(font.size))


def wrap_components(
    components: list[str] | tuple[str, ...],
    font: ImageFont.FreeTypeFont,
    max_width: float,
    *,
    sep: str = ", ",
) -> list[str]:
    """Wrap a comma-separated value at component boundaries (words only when one component is too long).

    Lines are printed with a trailing comma where the value continues, as addresses are.
    """
    lines: list[str] = []
    current = ""
    for comp in components:
        candidate = f"{current}{sep}{comp}" if current else comp
        if font.getlength(candidate + ",") <= max_width or not current:
            current = candidate
        else:
            lines.append(current + ",")
            current = comp
        while font.getlength(current) > max_width and " " in current:
            words = current.split(" ")
            head = words[0]
            for k in range(1, len(words)):
                if font.getlength(" ".join(words[: k + 1])) > max_width:
                    break
                head = " ".join(words[: k + 1])
            lines.append(head)
            current = current[len(head) :].strip()
    if current:
        lines.append(current)
    return lines


def wrap_words(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= max_width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


# ---------------------------------------------------------------------- marks made by hand or stamp


def signature(rng: random.Random, width: int, height: int, colour: Colour = INK_BLUE) -> Image.Image:
    """A cursive-looking pen scribble on a transparent background: a tall initial, loops, a flourish."""
    scale = 3  # drawn large then reduced, for smooth ink
    w, h = width * scale, height * scale
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    pen = max(2, int(rng.uniform(1.5, 2.8) * scale))
    ink = (*colour, 240)
    # the initial: a tall narrow loop
    x0 = rng.uniform(0.04, 0.12) * w
    initial = [
        (x0 + 0.06 * w * math.sin(a) + 0.02 * w * a, h * (0.55 - 0.4 * math.sin(a / 2)))
        for a in [i * 0.25 for i in range(26)]
    ]
    draw.line(initial, fill=ink, width=pen, joint="curve")
    # the body: x advances with a back-swing (loops when the swing beats the advance)
    f1, f2, f3 = rng.uniform(9, 16), rng.uniform(3, 6), rng.uniform(9, 16)
    p1, p2 = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
    swing = rng.uniform(0.012, 0.025)
    start = initial[-1][0] / w
    span = rng.uniform(0.55, 0.75)
    body = []
    n = 160
    for i in range(n):
        t = i / (n - 1)
        x = (start + span * t + swing * math.sin(f3 * t * math.tau / 2 + p1)) * w
        y = (
            0.55 - 0.18 * math.sin(f1 * t * math.tau / 2 + p1) * (0.6 + 0.4 * math.sin(f2 * t + p2)) - 0.1 * t
        ) * h
        body.append((x, y))
    draw.line(body, fill=ink, width=pen, joint="curve")
    # the flourish under the name
    y0 = rng.uniform(0.72, 0.88) * h
    flourish = [
        (w * (0.08 + 0.85 * t), y0 - h * 0.12 * t * t + h * 0.04 * math.sin(t * 6))
        for t in [i / 30 for i in range(31)]
    ]
    draw.line(flourish, fill=(*colour, 215), width=max(2, pen - scale), joint="curve")
    if rng.random() < 0.5:  # a dot or two, as over an i
        cx, cy = rng.uniform(0.4, 0.8) * w, rng.uniform(0.12, 0.3) * h
        draw.ellipse((cx - pen, cy - pen, cx + pen, cy + pen), fill=ink)
    return img.resize((width, height), Image.Resampling.LANCZOS)


def stamp(
    rng: random.Random,
    lines: list[str],
    font_path: str,
    *,
    size: int = 200,
    colour: Colour | None = None,
    round_stamp: bool | None = None,
) -> Image.Image:
    """A rubber stamp (round with text on the ring, or rectangular), partly inked, slightly rotated."""
    colour = colour or rng.choice([(40, 50, 160), (90, 40, 150), (30, 70, 170), (150, 30, 60)])
    round_stamp = rng.random() < 0.6 if round_stamp is None else round_stamp
    s = 2  # supersample
    if round_stamp:
        w = h = size * s
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(img)
        draw.ellipse((4, 4, w - 4, h - 4), outline=(*colour, 255), width=5 * s)
        inner = int(w * 0.2)
        draw.ellipse((inner, inner, w - inner, h - inner), outline=(*colour, 255), width=2 * s)
        ring_text = f"{lines[0].upper()} *"
        radius = w / 2 - int(w * 0.095)
        # spread the name over most of the ring; long names get smaller letters
        step = min(math.tau * 0.88 / len(ring_text), 0.32)
        font = load_font(font_path, max(10, min(int(w * 0.09), int(radius * step * 1.05))))
        start = -math.pi / 2 - step * (len(ring_text) - 1) / 2
        for i, ch in enumerate(ring_text):
            angle = start + i * step
            glyph = Image.new("RGBA", (int(w * 0.12), int(w * 0.12)), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text(
                (glyph.width / 2, glyph.height / 2), ch, font=font, fill=(*colour, 255), anchor="mm"
            )
            glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
            cx = w / 2 + radius * math.cos(angle) - glyph.width / 2
            cy = h / 2 + radius * math.sin(angle) - glyph.height / 2
            img.alpha_composite(glyph, (int(cx), int(cy)))
        centre_font = load_font(font_path, int(w * 0.07))
        middle = lines[1:3] or ["AUTHORISED"]
        y = h / 2 - len(middle) * w * 0.045
        for text in middle:
            draw.text((w / 2, y), text.upper()[:18], font=centre_font, fill=(*colour, 255), anchor="mt")
            y += w * 0.09
    else:
        font = load_font(font_path, int(size * s * 0.11))
        widths = [font.getlength(t) for t in lines]
        w = int(max(widths) + size * s * 0.16)
        h = int(len(lines) * size * s * 0.15 + size * s * 0.12)
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(img)
        draw.rounded_rectangle((3, 3, w - 4, h - 4), radius=8 * s, outline=(*colour, 255), width=4 * s)
        y = size * s * 0.06
        for text in lines:
            draw.text((w / 2, y), text, font=font, fill=(*colour, 255), anchor="mt")
            y += size * s * 0.15
    img = img.resize((img.width // s, img.height // s), Image.Resampling.LANCZOS)
    # Uneven ink: knock out speckles and fade one side, as a real rubber stamp does.
    alpha = img.getchannel("A")
    speck = Image.effect_noise(img.size, 90).point(lambda v: 255 if v > 70 else 120)
    fade = (
        Image.linear_gradient("L").resize(img.size).rotate(rng.uniform(0, 360)).point(lambda v: 140 + v // 3)
    )
    alpha = Image.composite(alpha, Image.new("L", img.size, 0), speck)
    alpha = _multiply(alpha, fade)
    img.putalpha(alpha)
    return img.rotate(rng.uniform(-18, 18), expand=True, resample=Image.Resampling.BICUBIC)


def _multiply(a: Image.Image, b: Image.Image) -> Image.Image:
    """Multiply two greyscale images (alpha masks), 255 being 1.0."""
    product = np.asarray(a, dtype=np.uint16) * np.asarray(b, dtype=np.uint16) // 255
    return Image.fromarray(product.astype(np.uint8))


def specimen(
    img: Image.Image, font_path: str, *, colour: Colour = (200, 30, 30), alpha: int = 45, angle: float = 28.0
) -> Image.Image:
    """Stamp a big diagonal SPECIMEN across an ID card render."""
    w, h = img.size
    font = load_font(font_path, int(min(w, h) * 0.24))
    box = font.getbbox("SPECIMEN")
    # rotate only a one-channel mask the size of the word: a full RGBA page rotation costs 0.1 s
    mask = Image.new("L", (box[2] - box[0] + 8, box[3] - box[1] + 8), 0)
    ImageDraw.Draw(mask).text((4 - box[0], 4 - box[1]), "SPECIMEN", font=font, fill=alpha)
    mask = mask.rotate(angle, expand=True, resample=Image.Resampling.BILINEAR)
    # Multiply, like ink on a laminate: printed text under the mark stays as dark as it was.
    tint = Image.new("RGB", (w, h), (255, 255, 255))
    tint.paste(Image.new("RGB", mask.size, colour), ((w - mask.width) // 2, (h - mask.height) // 2), mask)
    return ImageChops.multiply(img.convert("RGB"), tint)


def code128(data: str, *, height: int, module: int = 2, colour: Colour = BLACK) -> Image.Image:
    """A Code128 barcode (bars only, no human-readable line) with quiet zones, on white."""
    modules = barcode.get("code128", data).build()[0]
    quiet = 10 * module
    img = Image.new("RGB", (len(modules) * module + 2 * quiet, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    x = quiet
    for bit in modules:
        if bit == "1":
            draw.rectangle((x, 0, x + module - 1, height - 1), fill=colour)
        x += module
    return img


def qr_image(data: str, size: int) -> Image.Image:
    code = qrcode.QRCode(border=1, box_size=4, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    code.make(fit=True)
    return (
        code.make_image(fill_color="black", back_color="white")
        .get_image()
        .convert("RGB")
        .resize((size, size), Image.Resampling.NEAREST)
    )


def photo_placeholder(width: int, height: int, rng: random.Random) -> Image.Image:
    """The grey box where an ID card's photograph would be: a faceless silhouette, never a face."""
    base = rng.randint(185, 215)
    img = Image.new("RGB", (width, height), (base, base, base + 4))
    draw = ImageDraw.Draw(img)
    shade = base - rng.randint(45, 70)
    cx = width / 2
    draw.ellipse(
        (cx - width * 0.22, height * 0.14, cx + width * 0.22, height * 0.56), fill=(shade, shade, shade)
    )
    draw.pieslice(
        (cx - width * 0.46, height * 0.58, cx + width * 0.46, height * 1.45),
        180,
        360,
        fill=(shade, shade, shade),
    )
    draw.rectangle((0, 0, width - 1, height - 1), outline=(120, 120, 120), width=2)
    return img.filter(ImageFilter.GaussianBlur(0.8))


def emblem(size: int, colour: Colour = (90, 90, 90)) -> Image.Image:
    """A plain round seal standing in for a government emblem (not the real emblem)."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((2, 2, size - 3, size - 3), outline=(*colour, 255), width=max(2, size // 24))
    d.ellipse(
        (size * 0.3, size * 0.3, size * 0.7, size * 0.7), outline=(*colour, 255), width=max(1, size // 40)
    )
    for k in range(24):
        a = k * math.tau / 24
        d.line(
            (
                size / 2 + size * 0.22 * math.cos(a),
                size / 2 + size * 0.22 * math.sin(a),
                size / 2 + size * 0.36 * math.cos(a),
                size / 2 + size * 0.36 * math.sin(a),
            ),
            fill=(*colour, 255),
            width=1,
        )
    return img


def logo(rng: random.Random, text: str, *, font_path: str, colour: Colour, height: int = 70) -> Image.Image:
    """A simple lender or shop logo: initials in a coloured shape."""
    font = load_font(font_path, int(height * 0.5))
    w = int(font.getlength(text) + height * 0.6)
    img = Image.new("RGBA", (max(w, height), height), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    shape = rng.randrange(3)
    if shape == 0:
        d.rounded_rectangle((0, 0, img.width - 1, height - 1), radius=height // 4, fill=(*colour, 255))
    elif shape == 1:
        d.ellipse((0, 0, img.width - 1, height - 1), fill=(*colour, 255))
    else:
        d.polygon(
            [
                (height * 0.3, 0),
                (img.width - 1, 0),
                (img.width - 1 - height * 0.3, height - 1),
                (0, height - 1),
            ],
            fill=(*colour, 255),
        )
    d.text((img.width / 2, height / 2), text, font=font, fill=(255, 255, 255, 255), anchor="mm")
    return img


def tint(colour: Colour, amount: float) -> Colour:
    """Mix a colour towards white by `amount` (0 = unchanged, 1 = white)."""
    r, g, b = (int(c + (255 - c) * amount) for c in colour)
    return (r, g, b)
