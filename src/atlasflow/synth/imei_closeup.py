"""Synthetic close-up photos of the IMEI sticker on a phone's box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from atlasflow.domain.types import DocumentType
from atlasflow.synth import numbers
from atlasflow.synth.catalog import Product, make_product
from atlasflow.synth.fonts import FontFamily, FontRole, pick_family
from atlasflow.synth.model import DEV_AND_TEST, TEST_ONLY, CaseContext, Layout, Medium, Rendered
from atlasflow.synth.render import Colour, Page, code128, line_height
from atlasflow.synth.scenes import PHOTO, brand_colour, light_gradient, paste_quad, surface

_MAKERS = (
    "Bharat Smart Devices Pvt. Ltd., Plot 21, Sector 63, Noida, UP 201301",
    "Deccan Electronics Manufacturing Pvt. Ltd., SIPCOT, Sriperumbudur, TN 602105",
    "Sahyog Mobile Assembly LLP, MIDC Ranjangaon, Pune, MH 412220",
)


@dataclass(frozen=True, slots=True)
class StickerContent:
    brand: str
    model_label: str
    model_value: str  # what follows the model label: the truth
    colour: str
    memory: str
    imeis: tuple[str, str]
    price_text: str
    mrp: int
    maker: str
    mfd: str


def _product(ctx: CaseContext) -> Product:
    # An appliance application has no IMEI sticker; the close-up then shows some phone.
    return ctx.app.product if ctx.app.product.is_phone else make_product(ctx.rng, phone=True)


def build_content(ctx: CaseContext, fam: FontFamily) -> tuple[StickerContent, dict[str, Any]]:
    rng = ctx.rng
    p = _product(ctx)
    style = rng.randrange(3)
    if style == 0:
        label, value = (
            rng.choice(("Model", "Model No", "Model No.")),
            p.line.code + ("/DS" if p.line.brand == "Samsung" and rng.random() < 0.5 else ""),
        )
    elif style == 1:
        label, value = "Model Name", f"{p.line.brand} {p.line.name}"
    else:
        label, value = "Model", p.line.name
    cur = fam.rupee() if rng.random() < 0.5 else "Rs."
    price_text = rng.choice(
        (
            f"MRP {cur} {numbers.format_inr(p.mrp)} (Incl. of all taxes)",
            f"M.R.P. {cur}{numbers.format_inr(p.mrp)} (Inclusive of all taxes)",
            f"MRP: {cur}{numbers.format_inr(p.mrp, decimals=False)}/- (Incl. of all taxes)",
        )
    )
    mfd = f"{rng.randint(1, 12):02d}/{rng.choice((2024, 2025))}"
    content = StickerContent(
        p.line.brand,
        label,
        value,
        p.colour,
        p.variant,
        (p.imeis[0], p.imeis[1]),
        price_text,
        p.mrp,
        rng.choice(_MAKERS),
        mfd,
    )
    labels = {"model": value, "imei_number": list(content.imeis), "price": numbers.truth_amount(p.mrp)}
    return content, labels


def _memory_text(memory: str) -> str:
    if "/" in memory:
        ram, rom = memory.split("/")
        return f"RAM {ram} | ROM {rom}"
    return f"Storage {memory}"


def _sticker_dual(ctx: CaseContext, c: StickerContent, fam: FontFamily) -> Image.Image:
    st = ctx.style
    w, h = 900, st.randint(600, 660)
    page = Page(w, h, paper=(252, 252, 248))
    bf, f, fb, small = fam.font(40, bold=True), fam.font(27), fam.font(27, bold=True), fam.font(19)
    x, y = 36, 22
    page.text(x, y, c.brand.upper() if st.random() < 0.7 else c.brand, bf)
    page.text(w - 36, y + 10, "Made in India", small, align="right")
    y += line_height(bf, 1.1)
    model_text, colour_text = f"{c.model_label}: {c.model_value}", f"Colour: {c.colour}"
    page.text(x, y, model_text, fb)
    if fb.getlength(model_text) + f.getlength(colour_text) + 2 * x + 30 > w:
        y += line_height(f, 1.2)  # no room beside a long model name: the colour gets its own line
        page.text(x, y, colour_text, f)
    else:
        page.text(w - 36, y, colour_text, f, align="right")
    y += line_height(f, 1.2)
    for k, imei in enumerate(c.imeis, 1):
        page.text(x, y, f"IMEI {k}: {imei}" if st.random() < 0.7 else f"IMEI{k}: {imei}", fb)
        y += line_height(f, 1.05)
        bar = code128(imei, height=62, module=2)
        page.paste(bar, (x - 20, int(y)))
        y += 70
    page.text(x, y, _memory_text(c.memory), f)
    y += line_height(f, 1.15)
    page.text(x, y, c.price_text, fb)
    y += line_height(f, 1.15)
    page.text(x, y, f"Net Quantity: 1N    Mfd: {c.mfd}", small)
    y += line_height(small)
    page.text(x, y, f"Mfd. by: {c.maker}", small)
    return page.img


def _sticker_grid(ctx: CaseContext, c: StickerContent, fam: FontFamily) -> Image.Image:
    size = ctx.style.randint(23, 26)
    w = 940
    f, fb, small = fam.font(size), fam.font(size, bold=True), fam.font(18)
    rows: list[tuple[str, str, str | None]] = [
        (c.model_label, c.model_value, None),
        ("Colour", c.colour, None),
        ("Memory", _memory_text(c.memory), None),
        ("IMEI1", c.imeis[0], c.imeis[0]),
        ("IMEI2", c.imeis[1], c.imeis[1]),
        ("Price", c.price_text, None),
        ("Net Qty", "1 Unit", None),
        ("Month & Year of Mfg", c.mfd, None),
    ]
    row_h = [78 if bar else 46 for _, _, bar in rows]
    h = sum(row_h) + 90
    page = Page(w, h, paper=(253, 253, 250))
    page.text(w / 2, 14, f"{c.brand} Smartphone", fam.font(32, bold=True), align="center")
    y = 64
    key_w = 250
    for (k, v, bar), rh in zip(rows, row_h, strict=True):
        page.rect((16, y, w - 16, y + rh), outline=(40, 40, 40), width=2)
        page.line((16 + key_w, y, 16 + key_w, y + rh), fill=(40, 40, 40), width=2)
        page.text(28, y + 10, k, fb)
        if bar:
            page.text(28 + key_w, y + 8, v, fb)
            page.paste(code128(bar, height=rh - 16, module=1), (w - 16 - 300, int(y + 8)))
        else:
            page.text(28 + key_w, y + 10, v, f if len(v) < 40 else small)
        y += rh
    page.text(w / 2, y + 8, f"Marketed by: {c.maker}", small, align="center")
    return page.img


def _sticker_compact(ctx: CaseContext, c: StickerContent, fam: FontFamily) -> Image.Image:
    w, h = 820, ctx.style.randint(540, 600)
    page = Page(w, h, paper=(250, 250, 250))
    f, fb, small = fam.font(26), fam.font(26, bold=True), fam.font(20)
    y = 20
    page.text(30, y, f"{c.model_label.upper()}: {c.model_value}", fb)
    y += line_height(fb, 1.3)
    for k, imei in enumerate(c.imeis, 1):
        page.text(30, y + 20, f"IMEI{k}", fb)
        bar = code128(imei, height=70, module=2)
        page.paste(bar, (150, int(y)))
        page.text(150 + bar.width / 2, y + 74, imei, f, align="center")
        y += 120
    page.text(30, y, f"{c.colour}  |  {c.memory}", f)
    y += line_height(f, 1.2)
    page.text(30, y, c.price_text, fb)
    y += line_height(f, 1.2)
    page.text(30, y, f"Net Qty: 1 N   MFD: {c.mfd}", small)
    return page.img


def _sticker_box_print(
    ctx: CaseContext, c: StickerContent, fam: FontFamily, ink: Colour, paper: Colour
) -> Image.Image:
    """Text printed straight on the box side, barcodes on a small white label (test-only design)."""
    f, fb, small = fam.font(28), fam.font(28, bold=True), fam.font(20)
    lines = [
        f"{c.model_label}: {c.model_value}",
        f"Colour - {c.colour}",
        _memory_text(c.memory),
        c.price_text,
        f"Mfd: {c.mfd}   Net Qty: 1N",
    ]
    label_w = 430
    # The printed text must not run under the barcode label.
    w, h = max(1000, int(max(fb.getlength(line) for line in lines)) + label_w + 100), 600
    page = Page(w, h, paper=paper)
    page.text(30, 24, c.brand, fam.font(44, bold=True), ink)
    y = 100
    for line in lines:
        page.text(30, y, line, fb if line.startswith(c.model_label) else f, ink)
        y += line_height(f, 1.25)
    page.rect((w - label_w - 30, 90, w - 30, 470), outline=None, fill=(255, 255, 255))
    ly = 105
    for k, imei in enumerate(c.imeis, 1):
        page.text(w - label_w - 10, ly, f"IMEI {k}", small, (0, 0, 0))
        page.paste(code128(imei, height=60, module=1), (w - label_w - 10, ly + 26))
        page.text(w - label_w - 10, ly + 92, imei, fb, (0, 0, 0))
        ly += 180
    page.text(30, h - 50, c.maker, small, ink)
    return page.img


def _photo(
    ctx: CaseContext, sticker: Image.Image, *, box: Colour, sticker_on_box: bool = True
) -> Image.Image:
    """Put the sticker on the box surface and photograph it: perspective, light, slight defocus."""
    st = ctx.style
    w, h = PHOTO
    np_rng = np.random.default_rng(st.getrandbits(32))
    base = np.array(box, dtype=np.float32)[None, None, :] * np_rng.normal(1.0, 0.015, (h, w, 1)).astype(
        np.float32
    )
    scene = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    if st.random() < 0.4:  # the box edge, with the table beyond it
        edge = int(w * st.uniform(0.82, 0.93))
        scene.paste(surface(st, (w - edge, h)), (edge, 0))
        ImageDraw.Draw(scene).line((edge, 0, edge, h), fill=tuple(int(v * 0.7) for v in box), width=4)
    scale = st.uniform(0.68, 0.85) * w / sticker.width
    sw, sh = sticker.width * scale, sticker.height * scale
    if sh > h * 0.9:
        scale *= h * 0.9 / sh
        sw, sh = sticker.width * scale, sticker.height * scale
    cx, cy = w * st.uniform(0.42, 0.55), h * st.uniform(0.45, 0.55)
    jit = 0.05
    quad = [
        (cx - sw / 2 + sw * st.uniform(-jit, jit), cy - sh / 2 + sh * st.uniform(-jit, jit)),
        (cx + sw / 2 + sw * st.uniform(-jit, jit), cy - sh / 2 + sh * st.uniform(-jit, jit)),
        (cx + sw / 2 + sw * st.uniform(-jit, jit), cy + sh / 2 + sh * st.uniform(-jit, jit)),
        (cx - sw / 2 + sw * st.uniform(-jit, jit), cy + sh / 2 + sh * st.uniform(-jit, jit)),
    ]
    if sticker_on_box:
        shadow = Image.new("RGBA", sticker.size, (0, 0, 0, 70))
        paste_quad(scene, texture=shadow, quad=[(x + 6, y + 8) for x, y in quad])
    paste_quad(scene, texture=sticker, quad=quad)
    scene = light_gradient(scene, st, strength=st.uniform(0.1, 0.35))
    return scene.filter(ImageFilter.GaussianBlur(st.uniform(0.3, 0.9)))


def _render(ctx: CaseContext, kind: str) -> Rendered:
    st = ctx.style
    fam = pick_family(st, st.choice((FontRole.SANS, FontRole.SANS, FontRole.SERIF)))
    content, labels = build_content(ctx, fam)
    box, ink = brand_colour(content.brand)
    if kind == "dual":
        img = _photo(ctx, _sticker_dual(ctx, content, fam), box=box)
    elif kind == "grid":
        img = _photo(ctx, _sticker_grid(ctx, content, fam), box=box)
    elif kind == "compact":
        img = _photo(ctx, _sticker_compact(ctx, content, fam), box=box)
    else:
        dark = st.choice([(25, 25, 30), (20, 40, 90), (120, 20, 30)])
        img = _photo(
            ctx, _sticker_box_print(ctx, content, fam, (235, 235, 235), dark), box=dark, sticker_on_box=False
        )
    page = Page(*PHOTO)
    page.img = img
    return Rendered(DocumentType.IMEI_CLOSEUP_IMAGE, page, labels, Medium.PHOTO)


def render_dual(ctx: CaseContext) -> Rendered:
    return _render(ctx, "dual")


def render_grid(ctx: CaseContext) -> Rendered:
    return _render(ctx, "grid")


def render_compact(ctx: CaseContext) -> Rendered:
    return _render(ctx, "compact")


def render_box_print(ctx: CaseContext) -> Rendered:
    return _render(ctx, "box_print")


LAYOUTS: tuple[Layout, ...] = (
    Layout("imei_sticker_dual", DocumentType.IMEI_CLOSEUP_IMAGE, DEV_AND_TEST, render_dual, Medium.PHOTO),
    Layout("imei_sticker_grid", DocumentType.IMEI_CLOSEUP_IMAGE, DEV_AND_TEST, render_grid, Medium.PHOTO),
    Layout(
        "imei_sticker_compact", DocumentType.IMEI_CLOSEUP_IMAGE, DEV_AND_TEST, render_compact, Medium.PHOTO
    ),
    Layout("imei_box_print", DocumentType.IMEI_CLOSEUP_IMAGE, TEST_ONLY, render_box_print, Medium.PHOTO),
)
