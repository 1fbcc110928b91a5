"""Synthetic PAN cards (old, new and e-PAN styles), always marked SPECIMEN, never with a real face."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw

from atlasflow.domain.types import DocumentType
from atlasflow.synth import numbers
from atlasflow.synth.fonts import FontRole, pick_family
from atlasflow.synth.model import DEV_AND_TEST, TEST_ONLY, CaseContext, Layout, Medium, Rendered
from atlasflow.synth.render import (
    Colour,
    Page,
    emblem,
    fit_font,
    fitted,
    line_height,
    photo_placeholder,
    qr_image,
    signature,
    specimen,
)

CARD = (1000, 630)


def _background(page: Page, top: Colour, bottom: Colour) -> None:
    """The card's tinted gradient print."""
    grad = Image.linear_gradient("L").resize(page.img.size)
    page.img = Image.composite(
        Image.new("RGB", page.img.size, bottom), Image.new("RGB", page.img.size, top), grad
    )
    page.draw = ImageDraw.Draw(page.img)


def _content(ctx: CaseContext) -> tuple[str, str, str, dict[str, Any]]:
    person = ctx.app.person
    name = person.full_name.upper()
    father = (
        person.father_name.upper()
        if ctx.rng.random() < 0.85
        else f"{person.father_first} {person.last}".upper()
    )
    dob_text = numbers.format_date(person.dob, "dd/mm/yyyy")
    labels = {
        "name_as_per_pan": name,
        "father_name": father,
        "dob": numbers.truth_date(person.dob),
        "pan_number": person.pan,
    }
    return name, father, dob_text, labels


def render_old(ctx: CaseContext) -> Rendered:
    """Pre-2018 card: unlabelled name, father's name and DOB lines, then the number under its label."""
    st = ctx.style
    name, father, dob_text, labels = _content(ctx)
    fam = pick_family(st, FontRole.SANS)
    page = Page(*CARD, vector_text=ctx.vector_text)
    _background(page, (214, 232, 246), (236, 246, 236))
    hf = fam.font(30, bold=True)
    page.text(36, 30, "INCOME TAX DEPARTMENT", hf, (20, 30, 90))
    page.text(CARD[0] - 36, 30, "GOVT. OF INDIA", hf, (20, 30, 90), align="right")
    page.paste(emblem(80, (80, 80, 110)), (CARD[0] // 2 - 40, 80))
    f = fam.font(st.randint(28, 31), bold=True)
    lh = line_height(f, 1.3)
    y = 180
    for value in (name, father, dob_text):
        page.text(36, y, value, fitted(f, value, CARD[0] - 300), (10, 10, 10))
        y += lh
    y += 12
    page.text(36, y, "Permanent Account Number", fam.font(24), (40, 40, 40))
    y += 36
    page.text(36, y, ctx.app.person.pan, fam.font(42, bold=True), (10, 10, 10))
    page.paste(signature(st, 230, 80, (20, 20, 20)), (40, CARD[1] - 120))
    page.text(40, CARD[1] - 42, "Signature", fam.font(20), (40, 40, 40))
    page.paste(photo_placeholder(190, 230, st), (CARD[0] - 250, 250))
    page.img = specimen(page.img, fam.bold.path)
    return Rendered(DocumentType.PAN, page, labels, Medium.CARD)


def render_new(ctx: CaseContext) -> Rendered:
    """2018+ card: 'Permanent Account Number Card' header, labelled fields, QR on the right."""
    st = ctx.style
    name, father, dob_text, labels = _content(ctx)
    fam = pick_family(st, st.choice((FontRole.SANS, FontRole.SERIF)))
    page = Page(*CARD, vector_text=ctx.vector_text)
    _background(page, (226, 240, 250), (250, 238, 220))
    page.text(36, 22, "INCOME TAX DEPARTMENT", fam.font(26, bold=True), (20, 30, 90))
    page.text(CARD[0] - 36, 22, "GOVT. OF INDIA", fam.font(26, bold=True), (20, 30, 90), align="right")
    page.paste(emblem(60, (80, 80, 110)), (CARD[0] // 2 - 30, 12))
    page.text(CARD[0] / 2, 84, "Permanent Account Number Card", fam.font(28), (30, 30, 30), align="center")
    page.text(CARD[0] / 2, 122, ctx.app.person.pan, fam.font(42, bold=True), (10, 10, 10), align="center")
    page.paste(photo_placeholder(170, 210, st), (36, 190))
    lab = fam.font(19)
    f = fam.font(27, bold=True)
    x, y = 236, 190
    for label, value in (
        ("Name", name),
        (st.choice(("Father's Name", "Father's Name", "Fathers Name")), father),
        ("Date of Birth", dob_text),
    ):
        page.text(x, y, label, lab, (70, 70, 90))
        page.text(x, y + 24, value, fitted(f, value, CARD[0] - 200 - x), (10, 10, 10))
        y += 84
    page.paste(qr_image(f"SPECIMEN-PAN-{ctx.rng.getrandbits(40):010x}", 150), (CARD[0] - 186, 200))
    page.paste(signature(st, 200, 70, (20, 20, 20)), (CARD[0] - 240, CARD[1] - 140))
    page.text(CARD[0] - 150, CARD[1] - 58, "Signature", fam.font(19), (40, 40, 40), align="center")
    page.img = specimen(page.img, fam.bold.path)
    return Rendered(DocumentType.PAN, page, labels, Medium.CARD)


def render_epan(ctx: CaseContext) -> Rendered:
    """e-PAN printout: white, bordered, 'label : value' rows (test-only design)."""
    st = ctx.style
    name, father, dob_text, labels = _content(ctx)
    fam = pick_family(st)
    page = Page(*CARD, paper=(255, 255, 255), vector_text=ctx.vector_text)
    page.rect((10, 10, CARD[0] - 10, CARD[1] - 10), outline=(30, 60, 120), width=4)
    page.text(
        CARD[0] / 2,
        28,
        "INCOME TAX DEPARTMENT  |  GOVT. OF INDIA",
        fam.font(26, bold=True),
        (30, 60, 120),
        align="center",
    )
    page.text(
        CARD[0] / 2,
        66,
        "e - Permanent Account Number (e-PAN) Card",
        fam.font(24),
        (30, 30, 30),
        align="center",
    )
    lab = fam.font(22)
    f = fam.font(24, bold=True)
    y = 130
    rows = (
        ("Permanent Account Number", ctx.app.person.pan),
        ("Name", name),
        ("Father's Name", father),
        ("Date of Birth / Incorporation", dob_text),
    )
    value_x = 40 + max(lab.getlength(label) for label, _ in rows) + 16
    for label, value in rows:
        page.text(40, y, label, lab, (60, 60, 60))
        page.text(
            value_x,
            y,
            f": {value}",
            fit_font(str(f.path), text=f": {value}", max_width=CARD[0] - 200 - value_x, size=int(f.size)),
        )
        y += 58
    page.paste(photo_placeholder(150, 185, st), (CARD[0] - 190, 120))
    page.paste(qr_image(f"SPECIMEN-EPAN-{ctx.rng.getrandbits(40):010x}", 130), (40, CARD[1] - 160))
    page.paste(signature(st, 190, 64, (20, 20, 20)), (CARD[0] - 260, CARD[1] - 140))
    page.text(CARD[0] - 165, CARD[1] - 60, "Signature", fam.font(18), align="center")
    page.text(
        CARD[0] / 2,
        CARD[1] - 40,
        "This is a digitally generated e-PAN card.",
        fam.font(16),
        (80, 80, 80),
        align="center",
    )
    page.img = specimen(page.img, fam.bold.path)
    return Rendered(DocumentType.PAN, page, labels, Medium.CARD)


LAYOUTS: tuple[Layout, ...] = (
    Layout("pan_old", DocumentType.PAN, DEV_AND_TEST, render_old, Medium.CARD),
    Layout("pan_new", DocumentType.PAN, DEV_AND_TEST, render_new, Medium.CARD),
    Layout("pan_epan", DocumentType.PAN, TEST_ONLY, render_epan, Medium.CARD),
)
