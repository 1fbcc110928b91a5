"""Synthetic dealer invoices: GST A4 table, thermal receipt, two-column retail bill, boxed form."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from PIL import ImageFont

from atlasflow.domain.types import DocumentType
from atlasflow.synth import numbers
from atlasflow.synth.fonts import FontFamily, FontRole, pick_family
from atlasflow.synth.model import DEV_AND_TEST, TEST_ONLY, CaseContext, Layout, Medium, Rendered
from atlasflow.synth.render import (
    Colour,
    Page,
    fit_font,
    join_lines,
    line_height,
    logo,
    signature,
    stamp,
    tint,
    wrap_components,
    wrap_words,
)

A4 = (1240, 1754)


@dataclass(frozen=True, slots=True)
class Item:
    description: str
    hsn: str
    qty: int
    rate: float  # per unit before tax
    taxable: float
    tax: float
    amount: float  # including tax
    sub_lines: tuple[str, ...]  # IMEI / serial lines printed under the description


@dataclass(frozen=True, slots=True)
class InvoiceContent:
    """What one invoice prints, decided before drawing, and from which the labels are taken."""

    dealer_name: str
    dealer_address: tuple[str, ...]  # components incl. "City, State - PIN"
    gstin: str
    dealer_phone: str
    dealer_email: str
    number: str
    date_text: str
    customer_name: str
    customer_address: tuple[str, ...]
    mobile: str
    mobile_text: str
    model: str
    imeis: tuple[str, ...]
    items: tuple[Item, ...]
    intra_state: bool
    gst_rate: int
    taxable: float
    tax: float
    round_off: float
    total: int
    hyp_label: str  # "" when not hypothecated
    financier: str
    sign: bool
    stamp: bool
    state_line: str  # "Place of Supply: 37-Andhra Pradesh"

    def labels(self) -> dict[str, Any]:
        return {
            "invoice_number": self.number,
            "invoice_date": "",  # filled by build_content (needs the date object)
            "dealership_name": join_lines([self.dealer_name]),
            "dealer_address": join_lines(list(self.dealer_address)),
            "dealer_gst": self.gstin,
            "customer_name": join_lines([self.customer_name]),
            "customer_address": join_lines(list(self.customer_address)),
            "mobile_number": self.mobile,
            "model": join_lines([self.model]),
            "imei_number": list(self.imeis),
            "total_invoice_amount": numbers.truth_amount(self.total),
            "hypothecation": "yes" if self.hyp_label else "no",
            "financier_name": join_lines([self.financier]) if self.hyp_label else "",
            "dealer_sign": "yes" if self.sign else "no",
            "dealer_stamp": "yes" if self.stamp else "no",
        }


def _split_tax(amount: float, rate: int) -> tuple[float, float]:
    taxable = round(amount / (1 + rate / 100), 2)
    return taxable, round(taxable * rate / 100, 2)


def _accessory_hsn(description: str) -> str:
    if "Warranty" in description:
        return "998716"  # SAC of maintenance and repair services
    return "8504" if "Charger" in description else "3926"  # chargers; plastic covers and guards


def build_content(
    ctx: CaseContext, *, imei_in_description: bool = True
) -> tuple[InvoiceContent, dict[str, Any]]:
    """Decide the invoice's printed strings; returns them and the truth labels."""
    app, rng = ctx.app, ctx.rng
    person, dealer, product = app.person, app.dealer, app.product
    date_text = numbers.format_date(app.invoice_date, rng.choice(numbers.DATE_STYLES))
    customer = person.full_name if rng.random() < 0.7 else person.short_name
    if rng.random() < 0.35:
        customer = customer.upper()
    mobile_style = rng.randrange(4)
    m = person.mobile
    mobile_text = [m, f"+91 {m[:5]} {m[5:]}", f"+91-{m}", f"{m[:5]} {m[5:]}"][mobile_style]
    model = product.invoice_description(rng.randrange(4))
    imeis: tuple[str, ...] = ()
    sub_lines: tuple[str, ...] = ()
    if product.is_phone:
        imeis = product.imeis if rng.random() < 0.6 else product.imeis[:1]
        if imei_in_description:
            if len(imeis) == 2 and rng.random() < 0.5:
                sub_lines = (f"IMEI: {imeis[0]} / {imeis[1]}",)
            else:
                lab = rng.choice(("IMEI", "IMEI No", "IMEI"))
                sub_lines = tuple(
                    f"{lab} {k + 1}: {v}" if len(imeis) > 1 else f"{lab}: {v}" for k, v in enumerate(imeis)
                )
    elif imei_in_description:
        sub_lines = (f"{rng.choice(('Serial No', 'Sr. No.', 'S/N'))}: {product.serial}",)
    # GST 2.0 (Sept 2025) moved ACs and large TVs to 18%; earlier bills carry 28%.
    rate = 28 if product.line.category in ("ac", "tv") and app.invoice_date.year == 2024 else 18
    items = []
    taxable_total = tax_total = 0.0
    for desc, hsn, price, subs in [(model, product.line.hsn, product.price, sub_lines)] + (
        [(app.accessory[0], _accessory_hsn(app.accessory[0]), app.accessory[1], ())] if app.accessory else []
    ):
        taxable, tax = _split_tax(price, rate)
        items.append(Item(desc, hsn, 1, taxable, taxable, tax, taxable + tax, subs))
        taxable_total += taxable
        tax_total += tax
    total = app.invoice_total
    round_off = round(total - (taxable_total + tax_total), 2)
    intra = person.address.city.state == dealer.address.city.state
    hyp_label = ""
    if app.hypothecated:
        hyp_label = rng.choice(
            (
                "Hypothecated to",
                "Hypothecated to",
                "HP with",
                "Under Hypothecation with",
                "Financed by",
                "Hypothecation:",
            )
        )
    content = InvoiceContent(
        dealer_name=dealer.name,
        dealer_address=tuple(
            dealer.address.lines(with_state=rng.random() < 0.6, pin_style=rng.choice((" - ", "-", " ")))
        ),
        gstin=dealer.gstin,
        dealer_phone=dealer.phone,
        dealer_email=dealer.email,
        number=app.invoice_number,
        date_text=date_text,
        customer_name=customer,
        customer_address=tuple(
            person.address.lines(with_state=rng.random() < 0.5, pin_style=rng.choice((" - ", "-", " ")))
        ),
        mobile=m,
        mobile_text=mobile_text,
        model=model,
        imeis=imeis,
        items=tuple(items),
        intra_state=intra,
        gst_rate=rate,
        taxable=round(taxable_total, 2),
        tax=round(tax_total, 2),
        round_off=round_off,
        total=total,
        hyp_label=hyp_label,
        financier=app.lender.name,
        sign=rng.random() < 0.75,
        stamp=rng.random() < 0.6,
        state_line=f"{dealer.address.city.state_code}-{dealer.address.city.state}",
    )
    labels = content.labels()
    labels["invoice_date"] = numbers.truth_date(app.invoice_date)
    return content, labels


# ---------------------------------------------------------------------------- drawing helpers


def _money(value: float, cur: str = "") -> str:
    return f"{cur}{numbers.format_inr(value)}"


def _sign_block(
    page: Page,
    ctx: CaseContext,
    content: InvoiceContent,
    *,
    right: int,
    y: int,
    font: ImageFont.FreeTypeFont,
    fam: FontFamily,
) -> int:
    """'For <dealer>', optional stamp and signature, 'Authorised Signatory'; returns the bottom y."""
    st = ctx.style
    page.text(right, y, f"For {content.dealer_name}", font, align="right")
    gap = int(line_height(font) * 4.2)
    if content.stamp:
        stamp_img = stamp(
            st,
            [content.dealer_name, content.dealer_address[-1].split(",")[0][:18], "AUTHORISED"],
            fam.bold.path,
            size=st.randint(150, 190),
        )
        page.paste(stamp_img, (right - stamp_img.width - st.randint(60, 200), y + st.randint(-10, 30)))
    if content.sign:
        sig = signature(st, st.randint(170, 240), st.randint(60, 85))
        page.paste(sig, (right - sig.width - st.randint(10, 60), y + int(line_height(font) * 1.3)))
    page.text(
        right,
        y + gap,
        st.choice(("Authorised Signatory", "Authorised Signatory", "Authorized Signatory")),
        font,
        align="right",
    )
    return int(y + gap + line_height(font))


def _table(
    page: Page,
    x: int,
    y: int,
    cols: list[tuple[str, int, str]],
    rows: list[list[Any]],
    *,
    head_font: ImageFont.FreeTypeFont,
    font: ImageFont.FreeTypeFont,
    sub_font: ImageFont.FreeTypeFont,
    grid: Colour,
    head_fill: Colour | None,
    pad: int = 8,
    min_rows: int = 0,
) -> int:
    """Draw a bordered table; a cell is a string or a (main, sub_lines) pair. Returns the bottom y."""
    width = sum(w for _, w, _ in cols)
    lh, slh = line_height(font), line_height(sub_font)
    head_lines = [wrap_words(h, head_font, w - 2 * pad) for h, w, _ in cols]
    head_h = int(max(len(hl) for hl in head_lines) * line_height(head_font) + 2 * pad)
    page.rect((x, y, x + width, y + head_h), outline=grid, fill=head_fill, width=2)
    cx = x
    for (_, w, align), hl in zip(cols, head_lines, strict=True):
        tx = cx + pad if align == "l" else (cx + w - pad if align == "r" else cx + w / 2)
        page.text_lines(
            tx, y + pad, hl, head_font, align={"l": "left", "r": "right", "c": "center"}[align], spacing=1.0
        )
        cx += w
    top = y + head_h
    yy = top
    for row in rows:
        heights = []
        for cell, (_, w, _) in zip(row, cols, strict=True):
            main, subs = cell if isinstance(cell, tuple) else (cell, ())
            main_lines = wrap_words(main, font, w - 2 * pad)
            heights.append(len(main_lines) * lh + len(subs) * slh)
        row_h = int(max(heights) + 2 * pad)
        cx = x
        for cell, (_, w, align) in zip(row, cols, strict=True):
            main, subs = cell if isinstance(cell, tuple) else (cell, ())
            tx = cx + pad if align == "l" else (cx + w - pad if align == "r" else cx + w / 2)
            al = {"l": "left", "r": "right", "c": "center"}[align]
            # billing software shrinks a number that does not fit its column rather than wrap it
            cell_font = (
                fit_font(str(font.path), text=main, max_width=w - 2 * pad, size=int(font.size))
                if " " not in main
                else font
            )
            ty = page.text_lines(tx, yy + pad, wrap_words(main, cell_font, w - 2 * pad), cell_font, align=al)
            page.text_lines(tx, ty, list(subs), sub_font, align=al)
            cx += w
        yy += row_h
    yy = max(yy, top + int(min_rows * (lh + 2 * pad)))
    page.rect((x, top, x + width, yy), outline=grid, width=2)
    cx = x
    for _, w, _ in cols[:-1]:
        cx += w
        page.line((cx, y, cx, yy), fill=grid, width=1)
    return yy


_DESCRIPTION_HEADERS = ("Description of Goods", "Particulars", "Item Description", "Product / Model")


def _model_label(
    cols: list[tuple[str, int, str]], model: str, font: ImageFont.FreeTypeFont, pad: int = 8
) -> str:
    """The model as the table prints it: wrapped in its column, lines joined the SPEC way."""
    width = next(w for h, w, _ in cols if h in _DESCRIPTION_HEADERS)
    return join_lines(wrap_words(model, font, width - 2 * pad))


def _terms(rng: random.Random) -> list[str]:
    pool = [
        "Goods once sold will not be taken back or exchanged.",
        "Warranty as per manufacturer's terms only; service at authorised service centres.",
        "Subject to local jurisdiction only.",
        "Interest @18% p.a. will be charged if payment is not made within the due date.",
        "E. & O.E.",
        "Please check the product at the time of delivery.",
        "Physical damage and liquid damage are not covered under warranty.",
    ]
    rng.shuffle(pool)
    return pool[: rng.randint(2, 4)]


# ---------------------------------------------------------------------------- layout: GST A4 table


def render_gst_a4(ctx: CaseContext) -> Rendered:
    content, labels = build_content(ctx)
    st = ctx.style
    fam = pick_family(st, st.choice((FontRole.SANS, FontRole.SANS, FontRole.SERIF)))
    head_fam = pick_family(st, st.choice((FontRole.SANS, FontRole.SERIF)))
    cur = fam.rupee() if st.random() < 0.5 else ""
    page = Page(*A4, vector_text=ctx.vector_text)
    accent: Colour = st.choice([(0, 0, 0), (20, 60, 120), (120, 20, 30), (0, 90, 70), (60, 60, 60)])
    margin = st.randint(60, 100)
    right = A4[0] - margin
    body = st.randint(20, 23)
    f = fam.font(body)
    fb = fam.font(body, bold=True)
    small = fam.font(body - 3)
    lh = line_height(f)

    # header: dealer
    y = margin - 10
    centred = st.random() < 0.5
    name_font = head_fam.font(st.randint(38, 50), bold=True)
    if not centred and st.random() < 0.6:
        mark = logo(
            st,
            "".join(w[0] for w in content.dealer_name.split()[:2]).upper(),
            font_path=head_fam.bold.path,
            colour=accent,
            height=90,
        )
        page.paste(mark, (margin, y))
        hx = margin + mark.width + 20
    else:
        hx = margin
    anchor_x, align = (A4[0] / 2, "center") if centred else (hx, "left")
    page.text(anchor_x, y, content.dealer_name, name_font, accent, align=align)
    y += line_height(name_font, 1.1)
    addr_lines = wrap_components(content.dealer_address, f, A4[0] - 2 * margin - (hx - margin) - 40)
    y = page.text_lines(anchor_x, y, addr_lines, f, align=align)
    contact = f"GSTIN: {content.gstin}" if st.random() < 0.6 else f"GSTIN/UIN: {content.gstin}"
    phone = f"{st.choice(('Ph', 'Phone', 'Mob', 'Contact'))}: {content.dealer_phone}"
    page.text(anchor_x, y, f"{contact}    {phone}", fb, align=align)
    y += lh
    if st.random() < 0.5:
        page.text(anchor_x, y, f"Email: {content.dealer_email}", small, align=align)
        y += lh
    y += 12
    # title bar
    title = st.choice(("TAX INVOICE", "TAX INVOICE", "Tax Invoice", "TAX INVOICE (ORIGINAL FOR RECIPIENT)"))
    bar_h = int(lh * 1.6)
    fill = tint(accent, 0.85) if st.random() < 0.6 else None
    page.rect((margin, y, right, y + bar_h), outline=accent, fill=fill, width=2)
    tf = head_fam.font(body + 6, bold=True)
    page.text(A4[0] / 2, y + (bar_h - line_height(tf, 1.0)) / 2, title, tf, accent, align="center")
    y += bar_h + 16

    # buyer block (left) and invoice block (right)
    bill_label = st.choice(
        ("Bill To", "Buyer", "Billed To", "Customer Details", "Details of Receiver (Billed to)")
    )
    name_label = st.choice(("", "", "Name: ", "Customer Name: "))
    mid = margin + int((right - margin) * st.uniform(0.52, 0.6))
    block_top = y
    page.text(margin + 10, y, bill_label + ("" if bill_label.endswith(")") else ":"), fb)
    y += lh
    page.text(margin + 10, y, name_label + content.customer_name, fb)
    y += lh
    cust_lines = wrap_components(content.customer_address, f, mid - margin - 30)
    y = page.text_lines(margin + 10, y, cust_lines, f)
    page.text(margin + 10, y, f"{st.choice(('Mobile', 'Mob', 'Ph', 'Contact No'))}: {content.mobile_text}", f)
    y += lh
    if st.random() < 0.5:
        page.text(
            margin + 10, y, f"State: {content.state_line}" if content.intra_state else "State: Other", small
        )
        y += lh
    left_bottom = y
    y = block_top
    inv_label = st.choice(("Invoice No.", "Invoice No", "Bill No", "Inv #", "Invoice Number"))
    date_label = st.choice(("Date", "Invoice Date", "Dated", "Bill Date"))
    pairs = [(inv_label, content.number), (date_label, content.date_text)]
    if st.random() < 0.6:
        pairs.append(("Place of Supply", content.state_line))
    if st.random() < 0.5:
        pairs.append(("Payment Mode", st.choice(("Finance", "Finance / EMI", "Credit", "Card + Finance"))))
    if st.random() < 0.3:
        pairs.append(("Salesman", st.choice(("Ravi", "Suresh", "Anil", "Kiran", "Imran", "Deepak"))))
    key_w = max(fb.getlength(k) for k, _ in pairs) + 14
    for k, v in pairs:
        page.text(mid + 14, y, k, fb)
        page.text(mid + 14 + key_w, y, f": {v}", f)
        y += lh
    y = max(y, left_bottom) + 8
    page.rect((margin, block_top - 8, right, y), outline=accent, width=2)
    page.line((mid, block_top - 8, mid, y), fill=accent, width=1)
    y += 20

    # item table, with one of a few column orders seen in billing software
    width = right - margin
    intra = content.intra_state
    order = st.randrange(3)
    if order == 0:
        cols = [
            ("Sr", 0.05, "c"),
            ("Description of Goods", 0.33, "l"),
            ("HSN", 0.08, "c"),
            ("Qty", 0.06, "c"),
            ("Rate", 0.12, "r"),
            ("Taxable Value", 0.13, "r"),
        ]
        cols += [("CGST", 0.1, "r"), ("SGST", 0.1, "r")] if intra else [("IGST", 0.2, "r")]
        cols += [("Amount", 0.13, "r")]
    elif order == 1:
        cols = [
            ("S.No", 0.06, "c"),
            ("HSN/SAC", 0.09, "c"),
            ("Particulars", 0.37, "l"),
            ("Qty", 0.06, "c"),
            ("Rate", 0.13, "r"),
            ("GST %", 0.08, "c"),
            ("Tax Amt", 0.1, "r"),
            ("Amount", 0.11, "r"),
        ]
    else:
        cols = [
            ("#", 0.05, "c"),
            ("Item Description", 0.38, "l"),
            ("HSN", 0.08, "c"),
            ("Qty", 0.06, "c"),
            ("Unit Price", 0.13, "r"),
            ("Taxable", 0.15, "r"),
            ("Total", 0.15, "r"),
        ]
    scale = width / sum(c[1] for c in cols)
    cols_px = [(h, int(w * scale), a) for h, w, a in cols]
    cols_px[-1] = (cols_px[-1][0], width - sum(c[1] for c in cols_px[:-1]), cols_px[-1][2])
    rows = []
    for i, it in enumerate(content.items, 1):
        cells: dict[str, Any] = {
            "Sr": str(i), "S.No": str(i), "#": str(i),
            "Description of Goods": (it.description, it.sub_lines), "Particulars": (it.description, it.sub_lines),
            "Item Description": (it.description, it.sub_lines),
            "HSN": it.hsn, "HSN/SAC": it.hsn, "Qty": f"{it.qty}", "Rate": _money(it.rate), "Unit Price": _money(it.rate),
            "Taxable Value": _money(it.taxable), "Taxable": _money(it.taxable),
            "CGST": _money(it.tax / 2), "SGST": _money(it.tax / 2), "IGST": _money(it.tax),
            "GST %": f"{content.gst_rate}%", "Tax Amt": _money(it.tax), "Amount": _money(it.amount), "Total": _money(it.amount),
        }  # fmt: skip
        rows.append([cells[h] for h, _, _ in cols_px])
    grid = st.choice([(0, 0, 0), accent, (90, 90, 90)])
    labels["model"] = _model_label(cols_px, content.model, f)
    y = _table(
        page,
        margin,
        y,
        cols_px,
        rows,
        head_font=fam.font(body - 2, bold=True),
        font=f,
        sub_font=fam.font(body - 3),
        grid=grid,
        head_fill=tint(accent, 0.88) if fill else None,
        min_rows=st.randint(3, 7),
    )
    y += 14

    # totals
    totals = [("Sub Total" if st.random() < 0.5 else "Taxable Amount", _money(content.taxable, cur))]
    if intra:
        totals += [
            (f"CGST @ {content.gst_rate / 2:g}%", _money(content.tax / 2, cur)),
            (f"SGST @ {content.gst_rate / 2:g}%", _money(content.tax / 2, cur)),
        ]
    else:
        totals += [(f"IGST @ {content.gst_rate}%", _money(content.tax, cur))]
    if abs(content.round_off) >= 0.005:
        totals.append(("Round Off", f"{content.round_off:+.2f}"))
    grand_label = st.choice(("Grand Total", "Grand Total", "Total Amount", "Invoice Total", "Net Amount"))
    tx = right - int(width * 0.42)
    for k, v in totals:
        page.text(tx, y, k, f)
        page.text(right - 10, y, v, f, align="right")
        y += lh
    page.line((tx, y + 2, right, y + 2), fill=grid, width=1)
    y += 8
    gf = fam.font(body + 2, bold=True)
    page.text(tx, y, grand_label, gf)
    page.text(right - 10, y, _money(content.total, cur), gf, align="right")
    y += line_height(gf) + 10
    words = f"{st.choice(('Amount in Words', 'Amount Chargeable (in words)', 'In Words'))}: {numbers.amount_in_words(content.total)}"
    y = page.text_lines(margin, y, wrap_words(words, f, width), f)
    y += 10
    if content.hyp_label:
        page.text(margin, y, f"{content.hyp_label} {content.financier}", fb)
        y += lh + 6
    if st.random() < 0.7:
        y += 6
        page.text(margin, y, "Terms & Conditions:", small)
        y = page.text_lines(
            margin, y + line_height(small), [f"{i}. {t}" for i, t in enumerate(_terms(st), 1)], small
        )
    y = max(y + 20, A4[1] - margin - 260)
    page.text(margin, y + int(lh * 4.2), "Customer Signature", f)
    _sign_block(page, ctx, content, right=right, y=int(y), font=f, fam=fam)
    if st.random() < 0.5:
        page.text(
            A4[0] / 2,
            A4[1] - margin + 10,
            st.choice(
                (
                    "This is a computer generated invoice",
                    "Thank you for your business!",
                    "Subject to local jurisdiction",
                )
            ),
            small,
            align="center",
        )
    return Rendered(DocumentType.INVOICE, page, labels, Medium.PAGE)


# ---------------------------------------------------------------------------- layout: thermal receipt


def render_thermal(ctx: CaseContext) -> Rendered:
    content, labels = build_content(ctx)
    st = ctx.style
    fam = pick_family(st, FontRole.MONO)
    size = st.randint(21, 24)
    f, fb = fam.font(size), fam.font(size, bold=True)
    big = fam.font(size + 6, bold=True)
    cw = f.getlength("M")
    cols = st.randint(40, 46)
    width = int(cols * cw + 40)
    lh = line_height(f, 1.18)
    # layout on a tall page, cropped to the used height at the end
    page = Page(
        width,
        3000,
        paper=(252, 251, 247) if st.random() < 0.5 else (255, 255, 255),
        vector_text=ctx.vector_text,
    )
    x0, x1 = 20, width - 20
    cx = width / 2
    y = 30.0

    def rule(ch: str = "-") -> None:
        nonlocal y
        page.text(x0, y, ch * cols, f)
        y += lh

    def row(left: str, right_text: str = "", font: ImageFont.FreeTypeFont = f) -> None:
        nonlocal y
        page.text(x0, y, left, font)
        if right_text:
            page.text(x1, y, right_text, font, align="right")
        y += lh

    # receipts print the shop name in capitals on one line, smaller when it is long
    name_font = fit_font(
        str(big.path), text=content.dealer_name.upper(), max_width=x1 - x0, size=int(big.size)
    )
    page.text(cx, y, content.dealer_name.upper(), name_font, align="center")
    y += line_height(name_font, 1.1)
    labels["dealership_name"] = content.dealer_name.upper()
    for line in wrap_components(content.dealer_address, f, x1 - x0):
        page.text(cx, y, line, f, align="center")
        y += lh
    page.text(cx, y, f"GSTIN: {content.gstin}", f, align="center")
    y += lh
    page.text(cx, y, f"Ph: {content.dealer_phone}", f, align="center")
    y += lh
    rule("=")
    page.text(cx, y, st.choice(("TAX INVOICE", "RETAIL INVOICE", "CASH/CREDIT BILL")), fb, align="center")
    y += lh
    rule()
    row(f"{st.choice(('Bill No', 'Inv No', 'Bill #'))}: {content.number}")
    row(f"Date: {content.date_text}", f"{st.randint(10, 20)}:{st.randint(0, 59):02d}")
    row(f"{st.choice(('Customer', 'Name', 'Cust'))}: {content.customer_name}")
    row(f"Mob: {content.mobile_text}")
    addr = wrap_components(content.customer_address, f, x1 - x0 - f.getlength("Addr: "))
    for i, line in enumerate(addr):
        row(("Addr: " if i == 0 else "      ") + line)
    rule()
    row("Item", "Amount", fb)
    rule()
    for k, it in enumerate(content.items):
        desc_lines = wrap_words(it.description, f, x1 - x0)
        if k == 0:
            labels["model"] = join_lines(desc_lines)
        for line in desc_lines:
            row(line)
        for sub in it.sub_lines:
            for line in wrap_words(sub, f, x1 - x0):
                row(line)
        row(f"  HSN {it.hsn}  {it.qty} x {numbers.format_inr(it.amount)}", numbers.format_inr(it.amount))
    rule()
    row("Taxable Amt", numbers.format_inr(content.taxable))
    if content.intra_state:
        row(f"CGST {content.gst_rate / 2:g}%", numbers.format_inr(content.tax / 2))
        row(f"SGST {content.gst_rate / 2:g}%", numbers.format_inr(content.tax / 2))
    else:
        row(f"IGST {content.gst_rate}%", numbers.format_inr(content.tax))
    if abs(content.round_off) >= 0.005:
        row("Round Off", f"{content.round_off:+.2f}")
    rule("=")
    row(st.choice(("NET AMOUNT", "GRAND TOTAL", "TOTAL")), numbers.format_inr(content.total), fb)
    rule("=")
    if content.hyp_label:
        for line in wrap_words(f"{content.hyp_label} {content.financier}", f, x1 - x0):
            row(line)
        rule()
    row(f"Items: {len(content.items)}  Qty: {sum(i.qty for i in content.items)}")
    for line in wrap_words(numbers.amount_in_words(content.total), f, x1 - x0):
        row(line)
    y += lh * 0.5
    if content.stamp:
        img = stamp(
            st,
            [content.dealer_name, content.dealer_address[-1][:18], "PAID"],
            fam.bold.path,
            size=st.randint(140, 170),
            round_stamp=st.random() < 0.5,
        )
        page.paste(img, (int(x0 + st.randint(0, 60)), int(y)))
    if content.sign:
        sig = signature(st, 180, 70)
        page.paste(sig, (int(x1 - sig.width - 10), int(y + 40)))
    y += 150
    row("", "Authorised Signatory")
    rule()
    page.text(
        cx,
        y,
        st.choice(
            ("THANK YOU! VISIT AGAIN", "Thank you for shopping with us", "** No Exchange No Return **")
        ),
        f,
        align="center",
    )
    y += lh * 2
    page.img = page.img.crop((0, 0, width, int(y)))
    if page.graphics is not None:
        page.graphics = page.graphics.crop((0, 0, width, int(y)))
    page.height = int(y)
    return Rendered(DocumentType.INVOICE, page, labels, Medium.RECEIPT)


# ---------------------------------------------------------------------------- layout: two-column retail bill


def render_two_column(ctx: CaseContext) -> Rendered:
    content, labels = build_content(ctx)
    st = ctx.style
    fam = pick_family(st, st.choice((FontRole.SERIF, FontRole.SANS)))
    page = Page(*A4, vector_text=ctx.vector_text)
    band: Colour = st.choice([(25, 70, 140), (140, 30, 40), (20, 110, 80), (70, 70, 70), (160, 90, 0)])
    margin = st.randint(55, 90)
    right = A4[0] - margin
    body = st.randint(20, 24)
    f, fb, small = fam.font(body), fam.font(body, bold=True), fam.font(body - 3)
    lh = line_height(f)
    y = margin
    title = st.choice(("BILL OF SUPPLY", "RETAIL INVOICE", "CASH MEMO", "INVOICE"))
    page.rect((margin, y, right, y + 70), outline=None, fill=band)
    tf = fam.font(36, bold=True)
    page.text(A4[0] / 2, y + (70 - line_height(tf, 1.0)) / 2, title, tf, (255, 255, 255), align="center")
    y += 90
    mid = (margin + right) // 2
    col_w = mid - margin - 30
    seller_label = st.choice(("Seller", "Sold By", "From"))
    buyer_label = st.choice(("Buyer", "Bill To", "Customer Name", "Sold To"))
    top = y
    page.text(margin + 12, y, seller_label, fb, band)
    y2 = y + lh
    nf = fam.font(body + 4, bold=True)
    dealer_font = fit_font(str(nf.path), text=content.dealer_name, max_width=col_w, size=int(nf.size))
    page.text(margin + 12, y2, content.dealer_name, dealer_font)
    y2 += line_height(nf)
    y2 = page.text_lines(margin + 12, y2, wrap_components(content.dealer_address, f, col_w), f)
    page.text(margin + 12, y2, f"GSTIN: {content.gstin}", fb)
    y2 += lh
    page.text(margin + 12, y2, f"Phone: {content.dealer_phone}", f)
    y2 += lh
    page.text(mid + 18, y, buyer_label, fb, band)
    y3 = y + lh
    customer_font = fit_font(str(nf.path), text=content.customer_name, max_width=col_w, size=int(nf.size))
    page.text(mid + 18, y3, content.customer_name, customer_font)
    y3 += line_height(nf)
    y3 = page.text_lines(mid + 18, y3, wrap_components(content.customer_address, f, col_w), f)
    page.text(mid + 18, y3, f"{st.choice(('Mobile No', 'Mobile', 'Cell'))}: {content.mobile_text}", f)
    y3 += lh
    y = max(y2, y3) + 12
    page.rect((margin, top - 10, mid - 6, y), outline=band, width=2)
    page.rect((mid + 6, top - 10, right, y), outline=band, width=2)
    y += 18
    meta = [
        (st.choice(("Invoice No", "Bill No", "Memo No", "Invoice #")), content.number),
        (st.choice(("Date", "Invoice Date", "Bill Date")), content.date_text),
    ]
    x = margin
    for k, v in meta:
        page.text(x, y, f"{k}: ", fb)
        page.text(x + fb.getlength(f"{k}: "), y, v, f)
        x += (right - margin) // 2
    y += lh + 14
    width = right - margin
    cols = [
        ("Sl", int(width * 0.07), "c"),
        ("Particulars", int(width * 0.5), "l"),
        ("Qty", int(width * 0.09), "c"),
        ("Rate", int(width * 0.16), "r"),
    ]
    cols.append(("Amount", width - sum(c[1] for c in cols), "r"))
    labels["model"] = _model_label(cols, content.model, f)
    rows = [
        [str(i), (it.description, it.sub_lines), str(it.qty), _money(it.amount), _money(it.amount)]
        for i, it in enumerate(content.items, 1)
    ]
    y = _table(
        page,
        margin,
        y,
        cols,
        rows,
        head_font=fb,
        font=f,
        sub_font=small,
        grid=band,
        head_fill=tint(band, 0.85),
        min_rows=st.randint(4, 8),
    )
    y += 14
    cur = fam.rupee(bold=True) if st.random() < 0.6 else "Rs."
    gf = fam.font(body + 4, bold=True)
    page.text(
        right - 10,
        y,
        f"{st.choice(('Total', 'Net Amount', 'Total Amount', 'Amount Payable'))}: {cur} {numbers.format_inr(content.total)}",
        gf,
        align="right",
    )
    y += line_height(gf) + 6
    page.text(right - 10, y, f"(GST included @ {content.gst_rate}%)", small, align="right")
    y += lh
    y = page.text_lines(margin, y, wrap_words(numbers.amount_in_words(content.total), f, width), f) + 8
    if content.hyp_label:
        page.rect(
            (margin, y, margin + fb.getlength(f"{content.hyp_label} {content.financier}") + 30, y + lh + 14),
            outline=band,
            width=1,
        )
        page.text(margin + 15, y + 7, f"{content.hyp_label} {content.financier}", fb)
        y += lh + 24
    page.text(margin, y, "E. & O.E.", small)
    y = max(y + 40, A4[1] - margin - 300)
    _sign_block(page, ctx, content, right=right, y=int(y), font=f, fam=fam)
    page.text(margin, y + int(lh * 4.2), "Receiver's Signature", f)
    return Rendered(DocumentType.INVOICE, page, labels, Medium.PAGE)


# ---------------------------------------------------------------------------- layout: boxed form (test only)


def render_boxed_form(ctx: CaseContext) -> Rendered:
    """A form of labelled boxes with the value under each label, and IMEIs in their own column."""
    content, labels = build_content(ctx, imei_in_description=False)
    st = ctx.style
    fam = pick_family(st)
    page = Page(*A4, vector_text=ctx.vector_text)
    line: Colour = st.choice([(0, 0, 0), (60, 60, 120), (100, 60, 20)])
    margin = st.randint(50, 80)
    right = A4[0] - margin
    body = st.randint(20, 23)
    f, fb = fam.font(body), fam.font(body, bold=True)
    lab = fam.font(body - 4)
    lh = line_height(f)
    width = right - margin
    y = margin
    nf = fam.font(44, bold=True)
    page.text(A4[0] / 2, y, content.dealer_name, nf, align="center")
    y += line_height(nf)
    page.text(
        A4[0] / 2,
        y,
        "INVOICE CUM DELIVERY CHALLAN" if st.random() < 0.5 else "SALE INVOICE",
        fb,
        align="center",
    )
    y += lh + 10

    def box_row(cells: list[tuple[str, list[str], float]]) -> None:
        """Boxes side by side: (label, value lines, width share)."""
        nonlocal y
        h = int(max(len(v) for _, v, _ in cells) * lh + line_height(lab) + 22)
        x = margin
        for k, (label, values, share) in enumerate(cells):
            w = int(width * share) if k < len(cells) - 1 else right - x
            page.rect((x, y, x + w, y + h), outline=line, width=2)
            page.text(x + 8, y + 5, label.upper(), lab, (80, 80, 80))
            page.text_lines(x + 8, y + 8 + line_height(lab), values, f)
            x += w
        y += h

    colw = width * 0.5 - 16
    box_row(
        [
            ("Seller / Dealer", [content.dealer_name], 0.5),
            ("GSTIN", [content.gstin], 0.25),
            (st.choice(("Invoice No", "Invoice Number")), [content.number], 0.25),
        ]
    )
    box_row(
        [
            ("Dealer Address", wrap_components(content.dealer_address, f, colw), 0.5),
            ("Phone", [content.dealer_phone], 0.25),
            ("Invoice Date", [content.date_text], 0.25),
        ]
    )
    box_row(
        [
            (st.choice(("Customer Name", "Name of Customer", "Buyer Name")), [content.customer_name], 0.5),
            (st.choice(("Mobile", "Mobile No")), [content.mobile_text], 0.5),
        ]
    )
    box_row([("Customer Address", wrap_components(content.customer_address, f, width - 16), 1.0)])
    y += 20
    cols = [
        ("Sr", int(width * 0.05), "c"),
        ("Product / Model", int(width * 0.33), "l"),
        ("IMEI / Serial No.", int(width * 0.25), "l"),
        ("Qty", int(width * 0.06), "c"),
        ("Taxable", int(width * 0.15), "r"),
    ]
    cols.append(("Amount", width - sum(c[1] for c in cols), "r"))
    labels["model"] = _model_label(cols, content.model, f)
    rows = []
    for i, it in enumerate(content.items, 1):
        ids: tuple[str, ...] = ()
        if i == 1:
            ids = content.imeis if ctx.app.product.is_phone else (ctx.app.product.serial,)
        rows.append(
            [
                str(i),
                it.description,
                (ids[0] if ids else "-", ids[1:]),
                str(it.qty),
                _money(it.taxable),
                _money(it.amount),
            ]
        )
    y = _table(
        page,
        margin,
        y,
        cols,
        rows,
        head_font=fb,
        font=f,
        sub_font=f,
        grid=line,
        head_fill=(235, 235, 235),
        min_rows=3,
    )
    y += 16
    tax_text = (
        f"CGST {content.gst_rate / 2:g}% + SGST {content.gst_rate / 2:g}%"
        if content.intra_state
        else f"IGST {content.gst_rate}%"
    )
    box_row(
        [
            ("Taxable Value", [_money(content.taxable)], 0.25),
            ("Tax", [f"{_money(content.tax)} ({tax_text})"], 0.4),
            (
                st.choice(("Total Invoice Value", "Invoice Total", "Grand Total")),
                [_money(content.total)],
                0.35,
            ),
        ]
    )
    box_row([("Amount in Words", wrap_words(numbers.amount_in_words(content.total), f, width - 16), 1.0)])
    if content.hyp_label:
        box_row([(content.hyp_label.rstrip(":"), [content.financier], 1.0)])
    y += 30
    y = max(y, A4[1] - margin - 260)
    _sign_block(page, ctx, content, right=right, y=int(y), font=f, fam=fam)
    return Rendered(DocumentType.INVOICE, page, labels, Medium.PAGE)


LAYOUTS: tuple[Layout, ...] = (
    Layout("gst_a4_table", DocumentType.INVOICE, DEV_AND_TEST, render_gst_a4, Medium.PAGE, digital_pdf=True),
    Layout("thermal_receipt", DocumentType.INVOICE, DEV_AND_TEST, render_thermal, Medium.RECEIPT),
    Layout(
        "two_column_retail",
        DocumentType.INVOICE,
        DEV_AND_TEST,
        render_two_column,
        Medium.PAGE,
        digital_pdf=True,
    ),
    Layout("boxed_form", DocumentType.INVOICE, TEST_ONLY, render_boxed_form, Medium.PAGE, digital_pdf=True),
)
