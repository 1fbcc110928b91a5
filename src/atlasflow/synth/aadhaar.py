"""Synthetic Aadhaar cards, front and back, always marked SPECIMEN and never with a real face.

Labels carry the number masked (`**** **** 1234`); the full number exists only in pixels.
"""

from __future__ import annotations

import math
import random
from typing import Any

from PIL import Image, ImageDraw
from stdnum import verhoeff

from atlasflow.domain.types import DocumentType
from atlasflow.synth import numbers
from atlasflow.synth.fonts import FontFamily, FontRole, pick_family
from atlasflow.synth.model import DEV_AND_TEST, TEST_ONLY, CaseContext, Layout, Medium, Rendered
from atlasflow.synth.people import Person
from atlasflow.synth.render import (
    Colour,
    Page,
    emblem,
    fitted,
    join_lines,
    line_height,
    photo_placeholder,
    qr_image,
    specimen,
    wrap_components,
)

CARD = (1000, 630)
SAFFRON: Colour = (244, 140, 40)
GREEN: Colour = (30, 135, 60)
RED: Colour = (200, 30, 30)


def _labels(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "",
        "aadhaar_number": "",
        "date_of_birth": "",
        "gender": "",
        "address": "",
        "pincode": "",
    }
    base.update(values)
    return base


def _pattern(page: Page, rng: random.Random, colour: Colour) -> None:
    """Faint security-print waves behind the text."""
    w, h = page.width, page.height
    phase = rng.uniform(0, 6.28)
    for k in range(0, h, 14):
        pts = [(x, k + 5 * math.sin(x / 37 + phase + k / 50)) for x in range(0, w + 20, 20)]
        page.line(pts, fill=colour, width=1)


def _seal(size: int) -> Image.Image:
    """A round sun-like mark standing in for the programme logo (not the real logo)."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((size * 0.28, size * 0.28, size * 0.72, size * 0.72), fill=(235, 60, 40, 255))
    for i in range(12):
        a = i * math.tau / 12
        d.line(
            (
                size / 2 + size * 0.3 * math.cos(a),
                size / 2 + size * 0.3 * math.sin(a),
                size / 2 + size * 0.47 * math.cos(a),
                size / 2 + size * 0.47 * math.sin(a),
            ),
            fill=(250, 180, 30, 255),
            width=max(2, size // 18),
        )
    return img


def _vertical_text(page: Page, x: int, y: int, text: str, fam: FontFamily, size: int, fill: Colour) -> None:
    font = fam.font(size)
    w = int(font.getlength(text)) + 4
    tile = Image.new("RGBA", (w, int(line_height(font, 1.0)) + 4), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((2, 2), text, font=font, fill=(*fill, 255))
    tile = tile.rotate(90, expand=True)
    page.paste(tile, (x, y))


def _header(page: Page, fam: FontFamily, title: str, *, style: int, rng: random.Random) -> int:
    w = page.width
    if style == 0:
        page.rect((0, 0, w, 16), outline=None, fill=SAFFRON)
        page.paste(emblem(78), (28, 22))
        page.paste(_seal(84), (w - 112, 18))
        hf = fam.font(34, bold=True)
        page.text(w / 2, 40, title, hf, (20, 20, 20), align="center")
        page.rect((0, 112, w, 118), outline=None, fill=GREEN)
        return 130
    # older cards: tricolour bar with the title in capitals on it
    page.rect((0, 0, w, 40), outline=None, fill=SAFFRON)
    page.rect((0, 40, w, 80), outline=None, fill=(255, 255, 255))
    page.rect((0, 80, w, 92), outline=None, fill=GREEN)
    page.paste(emblem(70), (20, 12))
    hf = fam.font(32, bold=True)
    page.text(w / 2, 42, title.upper(), hf, (10, 10, 10), align="center")
    return 110


def _number_block(page: Page, fam: FontFamily, number: str, y: int, *, vid: str | None, tagline: str) -> None:
    w = page.width
    nf = fam.font(54, bold=True)
    page.text(w / 2, y, numbers.group_aadhaar(number), nf, (15, 15, 15), align="center")
    y += int(line_height(nf, 1.05))
    if vid:
        page.text(w / 2, y, f"VID : {vid}", fam.font(22), (40, 40, 40), align="center")
        y += 30
    page.rect((40, y + 4, w - 40, y + 8), outline=None, fill=RED)
    page.text(w / 2, y + 14, tagline, fam.font(26, bold=True), RED, align="center")


def _vid(rng: random.Random) -> str:
    """A 16-digit Virtual ID with a Verhoeff check digit, as the real ones carry."""
    body = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(14))
    digits = body + verhoeff.calc_check_digit(body)
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def _finish(page: Page, fam: FontFamily) -> None:
    page.img = specimen(page.img, fam.bold.path)


def _name(rng: random.Random, person: Person) -> str:
    return person.full_name if rng.random() < 0.8 else person.short_name


def _gender_text(rng: random.Random, person: Person) -> str:
    return person.gender if rng.random() < 0.5 else person.gender.title()


# ---------------------------------------------------------------------------- fronts


def _front(ctx: CaseContext, *, yob: bool, style: int) -> Rendered:
    rng, st, person = ctx.rng, ctx.style, ctx.app.person
    fam = pick_family(st, FontRole.SANS)
    page = Page(*CARD, paper=(255, 255, 253), vector_text=ctx.vector_text)
    _pattern(page, st, (238, 242, 236))
    top = _header(page, fam, "Government of India", style=style, rng=st)
    photo = photo_placeholder(200, 250, st)
    page.paste(photo, (48, top + 20))
    x = 290
    y = top + 40
    name = _name(rng, person)
    nf = fam.font(st.randint(30, 34), bold=style == 0)
    f = fam.font(st.randint(26, 29))
    page.text(x, y, name, fitted(nf, name, CARD[0] - x - 30))
    y += line_height(nf, 1.35)
    if yob:
        page.text(x, y, f"{st.choice(('Year of Birth', 'YoB'))} : {person.dob.year}", f)
        dob_truth = ""
    else:
        page.text(
            x,
            y,
            f"{st.choice(('DOB', 'Date of Birth/DOB', 'DOB'))}: {numbers.format_date(person.dob, 'dd/mm/yyyy')}",
            f,
        )
        dob_truth = numbers.truth_date(person.dob)
    y += line_height(f, 1.35)
    gender = _gender_text(rng, person)
    page.text(x, y, gender if st.random() < 0.6 else f"Gender: {gender}", f)
    issue = numbers.format_date(
        ctx.app.invoice_date.replace(year=max(2012, ctx.app.invoice_date.year - st.randint(1, 9))),
        "dd/mm/yyyy",
    )
    _vertical_text(page, 12, top + 30, f"Issue Date: {issue}", fam, 16, (60, 60, 60))
    vid = _vid(rng) if rng.random() < 0.4 else None
    tagline = "Mera Aadhaar, Meri Pehchaan" if style == 0 else "Aadhaar - Aam Aadmi ka Adhikar"
    _number_block(page, fam, person.aadhaar, 470 if not vid else 440, vid=vid, tagline=tagline)
    _finish(page, fam)
    labels = _labels(
        name=name,
        aadhaar_number=numbers.mask_aadhaar(person.aadhaar),
        date_of_birth=dob_truth,
        gender=person.gender,
    )
    return Rendered(DocumentType.AADHAAR, page, labels, Medium.CARD, extra={"side": "front"})


def render_front_dob(ctx: CaseContext) -> Rendered:
    return _front(ctx, yob=False, style=0)


def render_front_yob(ctx: CaseContext) -> Rendered:
    return _front(ctx, yob=True, style=1)


def render_front_pvc(ctx: CaseContext) -> Rendered:
    """PVC-card front: labelled fields, QR on the right, issue and print dates on the side."""
    rng, st, person = ctx.rng, ctx.style, ctx.app.person
    fam = pick_family(st, st.choice((FontRole.SANS, FontRole.SERIF)))
    page = Page(*CARD, paper=(250, 252, 255), vector_text=ctx.vector_text)
    _pattern(page, st, (228, 236, 246))
    page.rect((0, 0, CARD[0], 96), outline=None, fill=(252, 236, 214))
    page.paste(emblem(70), (24, 12))
    page.text(120, 28, "GOVERNMENT OF INDIA", fam.font(30, bold=True), (30, 30, 30))
    page.paste(_seal(76), (CARD[0] - 100, 10))
    page.paste(photo_placeholder(190, 235, st), (36, 130))
    lab = fam.font(20)
    f = fam.font(28, bold=True)
    x, y = 260, 128
    name = _name(rng, person)
    for label, value in (
        ("Name", name),
        ("Date of Birth", numbers.format_date(person.dob, "dd/mm/yyyy")),
        ("Gender", _gender_text(rng, person)),
    ):
        page.text(x, y, label, lab, (90, 90, 90))
        page.text(x, y + 24, value, fitted(f, value, CARD[0] - 215 - x))
        y += 80
    page.paste(qr_image(f"SPECIMEN-{rng.getrandbits(40):010x}", 170), (CARD[0] - 205, 150))
    page.text(CARD[0] - 120, 330, "Print Date", fam.font(16), (80, 80, 80), align="center")
    page.text(
        CARD[0] - 120,
        350,
        numbers.format_date(ctx.app.invoice_date, "dd/mm/yyyy"),
        fam.font(16),
        (80, 80, 80),
        align="center",
    )
    _number_block(page, fam, person.aadhaar, 440, vid=None, tagline="Aadhaar - Mera Aadhaar, Meri Pehchaan")
    _finish(page, fam)
    labels = _labels(
        name=name,
        aadhaar_number=numbers.mask_aadhaar(person.aadhaar),
        date_of_birth=numbers.truth_date(person.dob),
        gender=person.gender,
    )
    return Rendered(DocumentType.AADHAAR, page, labels, Medium.CARD, extra={"side": "front"})


# ---------------------------------------------------------------------------- backs


def _address_components(rng: random.Random, person: Person, *, with_pin: bool) -> list[str]:
    a = person.address
    parts = [
        f"{person.relation}: {person.father_first} {person.last}"
        if rng.random() < 0.7
        else f"{person.relation} {person.father_first} {person.last}"
    ]
    parts += list(a.components)
    if rng.random() < 0.4:
        parts.append(f"Dist: {a.city.name}")
    parts.append(a.city.name if not parts[-1].endswith(a.city.name) else "")
    tail = a.city.state + (f" - {a.pincode}" if with_pin else "")
    parts.append(tail)
    return [p for p in parts if p]


def _back(ctx: CaseContext, *, style: int) -> Rendered:
    rng, st, person = ctx.rng, ctx.style, ctx.app.person
    fam = pick_family(st, FontRole.SANS)
    page = Page(*CARD, paper=(255, 255, 252), vector_text=ctx.vector_text)
    _pattern(page, st, (240, 240, 232))
    if style == 0:
        top = _header(page, fam, "Unique Identification Authority of India", style=0, rng=st)
    else:
        page.text(40, 30, "Unique Identification Authority of India", fam.font(28, bold=True), (30, 30, 30))
        page.line((40, 74, CARD[0] - 40, 74), fill=(120, 120, 120), width=1)
        top = 90
    f = fam.font(st.randint(23, 26))
    lb = fam.font(25, bold=True)
    qr_size = 210 if style == 0 else 240
    text_w = CARD[0] - qr_size - 110
    comps = _address_components(rng, person, with_pin=True)
    first_prefix = "Address: "
    lines = wrap_components(comps, f, text_w - lb.getlength(first_prefix) if style == 1 else text_w)
    y = top + 20
    if style == 0:
        page.text(40, y, "Address:", lb)
        y += line_height(lb)
        y = page.text_lines(40, y, lines, f)
    else:
        page.text(40, y, first_prefix, lb)
        y = page.text_lines(40 + lb.getlength(first_prefix), y, lines, f)
    page.paste(qr_image(f"SPECIMEN-{rng.getrandbits(48):012x}", qr_size), (CARD[0] - qr_size - 40, top + 10))
    _number_block(
        page,
        fam,
        person.aadhaar,
        470 if style == 0 else 455,
        vid=_vid(rng) if style == 1 and rng.random() < 0.5 else None,
        tagline="Aadhaar - Aam Aadmi ka Adhikar"
        if style == 0
        else "Aadhaar is proof of identity, not of citizenship",
    )
    page.text(40, CARD[1] - 28, "1947", fam.font(18, bold=True), (60, 60, 60))
    page.text(
        CARD[0] - 40,
        CARD[1] - 28,
        "help@uidai.gov.in | www.uidai.gov.in",
        fam.font(18),
        (60, 60, 60),
        align="right",
    )
    _finish(page, fam)
    labels = _labels(
        aadhaar_number=numbers.mask_aadhaar(person.aadhaar),
        address=join_lines(lines),
        pincode=person.address.pincode,
    )
    return Rendered(DocumentType.AADHAAR, page, labels, Medium.CARD, extra={"side": "back"})


def render_back_classic(ctx: CaseContext) -> Rendered:
    return _back(ctx, style=0)


def render_back_inline(ctx: CaseContext) -> Rendered:
    return _back(ctx, style=1)


def render_back_pvc(ctx: CaseContext) -> Rendered:
    """PVC-card back: the PIN on its own labelled line, the address above it without the PIN."""
    rng, st, person = ctx.rng, ctx.style, ctx.app.person
    fam = pick_family(st, st.choice((FontRole.SANS, FontRole.SERIF)))
    page = Page(*CARD, paper=(250, 252, 255), vector_text=ctx.vector_text)
    _pattern(page, st, (228, 236, 246))
    page.rect((0, 0, CARD[0], 70), outline=None, fill=(252, 236, 214))
    page.text(
        CARD[0] / 2,
        18,
        "UNIQUE IDENTIFICATION AUTHORITY OF INDIA",
        fam.font(26, bold=True),
        (30, 30, 30),
        align="center",
    )
    f = fam.font(25)
    lab = fam.font(21, bold=True)
    comps = _address_components(rng, person, with_pin=False)
    y = 100
    page.text(40, y, "Address", lab, (90, 90, 90))
    y += line_height(lab)
    lines = wrap_components(comps, f, 560)
    y = page.text_lines(40, y, lines, f)
    y += 6
    page.text(40, y, f"PIN Code: {person.address.pincode}", f)
    page.paste(qr_image(f"SPECIMEN-{rng.getrandbits(48):012x}", 250), (CARD[0] - 290, 95))
    _number_block(
        page, fam, person.aadhaar, 440, vid=None, tagline="help@uidai.gov.in  |  www.uidai.gov.in  |  1947"
    )
    _finish(page, fam)
    labels = _labels(
        aadhaar_number=numbers.mask_aadhaar(person.aadhaar),
        address=join_lines(lines),
        pincode=person.address.pincode,
    )
    return Rendered(DocumentType.AADHAAR, page, labels, Medium.CARD, extra={"side": "back"})


LAYOUTS: tuple[Layout, ...] = (
    Layout("aadhaar_front_dob", DocumentType.AADHAAR, DEV_AND_TEST, render_front_dob, Medium.CARD),
    Layout("aadhaar_front_yob", DocumentType.AADHAAR, DEV_AND_TEST, render_front_yob, Medium.CARD),
    Layout("aadhaar_back_classic", DocumentType.AADHAAR, DEV_AND_TEST, render_back_classic, Medium.CARD),
    Layout("aadhaar_back_inline", DocumentType.AADHAAR, DEV_AND_TEST, render_back_inline, Medium.CARD),
    Layout("aadhaar_front_pvc", DocumentType.AADHAAR, TEST_ONLY, render_front_pvc, Medium.CARD),
    Layout("aadhaar_back_pvc", DocumentType.AADHAAR, TEST_ONLY, render_back_pvc, Medium.CARD),
)
