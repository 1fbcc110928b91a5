"""Synthetic open-box photos: the financed product's opened box, with zero, one or several people.

The truth is what was pasted: the number of faces. More than one face, or none, makes the
document INVALID_DOC as SPEC §4 requires.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter

from atlasflow.domain.types import DocumentType, ErrorCode
from atlasflow.synth.catalog import Product
from atlasflow.synth.fonts import FontRole, pick_family
from atlasflow.synth.model import DEV_AND_TEST, TEST_ONLY, CaseContext, Layout, Medium, Rendered
from atlasflow.synth.render import Colour, Page
from atlasflow.synth.scenes import (
    PHOTO,
    brand_colour,
    light_gradient,
    paste_quad,
    place_people,
    stone,
    wall,
    wood,
)

# How many faces the i-th open-box case shows: mostly one, as in real uploads, but every kind early.
_FACE_CYCLE = (1, 0, 2, 1, 3, 1, 0, 1, 2, 1)


def face_count(ctx: CaseContext) -> int:
    return _FACE_CYCLE[ctx.index % len(_FACE_CYCLE)]


def _print_texture(
    product: Product, size: tuple[int, int], rng: random.Random, *, box: Colour, ink: Colour
) -> Image.Image:
    """The printed face of a product box: brand, product name, a stylised device outline."""
    w, h = size
    fam = pick_family(rng, FontRole.SANS)
    img = Image.new("RGB", (w, h), box)
    d = ImageDraw.Draw(img)
    brand = product.line.brand
    bf = fam.font(max(12, int(h * 0.2)), bold=True)
    d.text(
        (w * 0.08, h * 0.12), brand.upper() if brand not in ("vivo", "realme") else brand, font=bf, fill=ink
    )
    nf = fam.font(max(10, int(h * 0.11)))
    d.text((w * 0.08, h * 0.45), product.line.name, font=nf, fill=ink)
    if product.is_phone:
        d.rounded_rectangle(
            (w * 0.72, h * 0.1, w * 0.9, h * 0.9), radius=int(h * 0.06), outline=ink, width=max(2, h // 40)
        )
    else:
        d.rectangle((w * 0.62, h * 0.2, w * 0.92, h * 0.75), outline=ink, width=max(2, h // 40))
    return img


def _device(size: tuple[int, int], product: Product, rng: random.Random) -> Image.Image:
    """The phone or TV lying in the box: a black slab with a glossy screen."""
    w, h = size
    img = Image.new("RGB", (w, h), (18, 18, 22))
    d = ImageDraw.Draw(img)
    pad = max(3, int(min(w, h) * 0.05))
    screen = (pad, pad, w - pad, h - pad)
    grad = (
        Image.linear_gradient("L")
        .rotate(rng.uniform(20, 70), expand=False)
        .resize((screen[2] - screen[0], screen[3] - screen[1]))
    )
    scr = Image.merge(
        "RGB",
        (
            grad.point(lambda v: 20 + v // 5),
            grad.point(lambda v: 25 + v // 5),
            grad.point(lambda v: 45 + v // 4),
        ),
    )
    img.paste(scr, (screen[0], screen[1]))
    if product.is_phone:
        d.ellipse((w / 2 - pad, pad * 1.5, w / 2 + pad, pad * 3.5), fill=(5, 5, 5))
    return img


def _open_box(
    canvas: Image.Image,
    ctx: CaseContext,
    *,
    cx: float,
    base_y: float,
    width: float,
    height: float,
    depth: float,
    flaps: bool,
) -> None:
    """Draw an opened box standing on a surface at (cx, base_y) in a simple perspective."""
    st, product = ctx.style, ctx.app.product
    box, ink = brand_colour(product.line.brand)
    if flaps:  # appliance cartons are brown corrugated board with one-colour print
        box, ink = (190, 150, 100), (35, 35, 35)
    d = ImageDraw.Draw(canvas)
    skew = st.uniform(0.15, 0.35) * depth * st.choice((-1, 1))
    x0, x1 = cx - width / 2, cx + width / 2
    top = base_y - height
    # top rim (parallelogram going back), front face, side face
    back = [(x0 + skew, top - depth), (x1 + skew, top - depth)]
    side_x = x1 if skew > 0 else x0
    side = [(side_x, top), (side_x + skew, top - depth), (side_x + skew, base_y - depth), (side_x, base_y)]
    d.polygon(side, fill=tuple(int(c * 0.78) for c in box))
    front_tex = _print_texture(product, (int(width), int(height)), st, box=box, ink=ink)
    paste_quad(canvas, texture=front_tex, quad=[(x0, top), (x1, top), (x1, base_y), (x0, base_y)])
    # the opening: dark inside, the device lying in it
    rim = [(x0, top), (x1, top), back[1], back[0]]
    d.polygon(rim, fill=tuple(int(c * 0.9) for c in box))
    inset = 0.08
    inner = [
        (x0 + width * inset + skew * inset, top - depth * inset),
        (x1 - width * inset + skew * inset, top - depth * inset),
        (x1 - width * inset + skew * (1 - inset), top - depth * (1 - inset)),
        (x0 + width * inset + skew * (1 - inset), top - depth * (1 - inset)),
    ]
    d.polygon(inner, fill=(40, 38, 36))
    dev_in = 0.14
    device_quad = [
        (inner[0][0] + (inner[1][0] - inner[0][0]) * dev_in, inner[0][1] - depth * 0.08),
        (inner[1][0] - (inner[1][0] - inner[0][0]) * dev_in, inner[1][1] - depth * 0.08),
        (inner[2][0] - (inner[2][0] - inner[3][0]) * dev_in, inner[2][1] + depth * 0.08),
        (inner[3][0] + (inner[2][0] - inner[3][0]) * dev_in, inner[3][1] + depth * 0.08),
    ]
    paste_quad(
        canvas, texture=_device((300, 600) if product.is_phone else (800, 480), product, st), quad=device_quad
    )
    if flaps:
        flap_c = (175, 135, 88)
        fl = depth * st.uniform(0.6, 1.0)
        d.polygon(
            [(x0, top), (x1, top), (x1 + width * 0.05, top + fl * 0.5), (x0 - width * 0.05, top + fl * 0.5)],
            fill=flap_c,
        )
        d.polygon(
            [
                back[0],
                back[1],
                (back[1][0] + width * 0.04, back[1][1] - fl),
                (back[0][0] - width * 0.04, back[0][1] - fl),
            ],
            fill=tuple(int(c * 0.92) for c in flap_c),
        )
    else:
        # the lid, leaning against the box or lying beside it, with the brand on it
        lid_w, lid_h = width * 0.95, depth * 1.3
        if st.random() < 0.5:
            lx = x1 + width * 0.15 if cx < canvas.width / 2 else x0 - width * 0.15 - lid_w
            quad = [
                (lx, base_y - lid_h * 0.6),
                (lx + lid_w, base_y - lid_h * 0.6),
                (lx + lid_w + skew, base_y + 4),
                (lx + skew, base_y + 4),
            ]
        else:
            quad = [
                (back[0][0] - width * 0.02, back[0][1] - lid_h),
                (back[1][0] + width * 0.02, back[1][1] - lid_h),
                back[1],
                back[0],
            ]
        paste_quad(
            canvas, texture=_print_texture(product, (int(lid_w), int(lid_h)), st, box=box, ink=ink), quad=quad
        )


def _scene(ctx: CaseContext, *, setting: str) -> Rendered:
    st = ctx.style
    faces = face_count(ctx)
    w, h = PHOTO
    horizon = int(h * st.uniform(0.5, 0.62))
    canvas = wall(st, (w, h))
    if setting == "counter":
        # shop shelves stacked with product boxes behind the counter
        d = ImageDraw.Draw(canvas)
        for row in range(4):
            y = 40 + row * (horizon - 60) // 4
            d.rectangle((0, y + 95, w, y + 105), fill=(120, 100, 80))
            x = st.randint(-20, 20)
            while x < w:
                bw = st.randint(50, 110)
                d.rectangle(
                    (x, y + 95 - st.randint(50, 90), x + bw, y + 95),
                    fill=st.choice(
                        [(240, 240, 240), (30, 30, 35), (20, 60, 140), (230, 120, 30), (200, 200, 40)]
                    ),
                )
                x += bw + st.randint(4, 14)
        canvas = canvas.filter(ImageFilter.GaussianBlur(2.2))  # shelves are out of focus
    # the box is drawn on its own layer first so that people can be kept clear of it
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    cx = st.uniform(w * 0.3, w * 0.7)
    if ctx.app.product.is_phone:
        width = st.uniform(260, 360)
        _open_box(
            layer,
            ctx,
            cx=cx,
            base_y=horizon + st.uniform(200, 300),
            width=width,
            height=width * 0.22,
            depth=width * 0.45,
            flaps=False,
        )
    else:
        width = st.uniform(460, 620)
        _open_box(
            layer,
            ctx,
            cx=cx,
            base_y=h - st.uniform(30, 90),
            width=width,
            height=width * 0.55,
            depth=width * 0.2,
            flaps=True,
        )
    box_area = layer.getchannel("A").getbbox() or (0, 0, 0, 0)
    heads = (
        place_people(canvas, st, faces, head_band=(30, horizon - 15), floor_y=horizon, avoid=(box_area,))
        if faces
        else []
    )
    table = (wood if setting != "floor" else stone)(st, (w, h - horizon))
    if setting == "counter":
        table = Image.blend(table, Image.new("RGB", table.size, (200, 225, 230)), 0.55)
    canvas.paste(table, (0, horizon))
    ImageDraw.Draw(canvas).line((0, horizon, w, horizon), fill=(60, 45, 30), width=3)
    canvas.paste(layer.convert("RGB"), (0, 0), layer.getchannel("A"))
    canvas = light_gradient(canvas, st, strength=st.uniform(0.1, 0.3))
    page = Page(w, h)
    page.img = canvas
    if faces == 0:
        code, reason, present = ErrorCode.INVALID_DOC, "customer not present", "no"
    elif faces == 1:
        code, reason, present = ErrorCode.NONE, "", "yes"
    else:
        code, reason, present = ErrorCode.INVALID_DOC, "multiple people", "yes"
    labels = {"customer_present": present, "number_of_faces_visible": faces}
    return Rendered(
        DocumentType.ASSET_OPEN_BOX_IMAGE, page, labels, Medium.PHOTO, code, reason, extra={"faces": heads}
    )


def render_table(ctx: CaseContext) -> Rendered:
    return _scene(ctx, setting="table")


def render_floor(ctx: CaseContext) -> Rendered:
    return _scene(ctx, setting="floor")


def render_counter(ctx: CaseContext) -> Rendered:
    return _scene(ctx, setting="counter")


LAYOUTS: tuple[Layout, ...] = (
    Layout("open_box_table", DocumentType.ASSET_OPEN_BOX_IMAGE, DEV_AND_TEST, render_table, Medium.PHOTO),
    Layout("open_box_floor", DocumentType.ASSET_OPEN_BOX_IMAGE, DEV_AND_TEST, render_floor, Medium.PHOTO),
    Layout(
        "open_box_shop_counter", DocumentType.ASSET_OPEN_BOX_IMAGE, TEST_ONLY, render_counter, Medium.PHOTO
    ),
)
