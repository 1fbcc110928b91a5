"""Synthetic delivery orders: a lender tells the dealer to hand the financed asset to the customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from atlasflow.domain.types import DocumentType
from atlasflow.synth import numbers
from atlasflow.synth.fonts import FontRole, pick_family
from atlasflow.synth.model import DEV_AND_TEST, TEST_ONLY, CaseContext, Layout, Medium, Rendered
from atlasflow.synth.render import (
    Colour,
    Page,
    join_lines,
    line_height,
    logo,
    qr_image,
    signature,
    stamp,
    tint,
    wrap_components,
    wrap_words,
)

A4 = (1240, 1754)
HALF_A4_LANDSCAPE = (1754, 1240)


@dataclass(frozen=True, slots=True)
class DoContent:
    lender: str
    lender_short: str
    lender_tagline: str
    lender_address: str
    lender_cin: str
    colour: Colour
    number: str
    date_text: str
    dealer_name: str
    dealer_address: tuple[str, ...]
    customer_name: str
    mobile: str
    mobile_text: str
    delivery_address: tuple[str, ...]
    model: str
    asset_cost: int
    loan_amount: int
    down_payment: int
    noise: tuple[tuple[str, str], ...]  # EMI, tenure, fees: printed, never labelled
    sign: bool


def build_content(ctx: CaseContext) -> tuple[DoContent, dict[str, Any]]:
    app, rng = ctx.app, ctx.rng
    person, dealer, product, loan, lender = app.person, app.dealer, app.product, app.loan, app.lender
    name = (
        person.full_name
        if rng.random() < 0.6
        else (person.short_name if rng.random() < 0.7 else person.first)
    )
    if rng.random() < 0.5:
        name = name.upper()
    m = person.mobile
    mobile_text = [m, f"+91 {m}", f"{m[:5]} {m[5:]}"][rng.randrange(3)]
    model_style = rng.randrange(4)
    model = [
        product.short_model,
        f"{product.line.brand.upper()} {product.line.code}",
        f"{product.short_model} {product.variant}" if product.is_phone else product.short_model,
        f"{product.line.brand} {product.line.code} {product.line.name}",
    ][model_style]
    emi_scheme = rng.choice(("Standard EMI", "Zero Cost EMI", "Low Cost EMI", "Easy EMI 10/2"))
    noise = [
        ("EMI Amount", numbers.format_inr(loan.emi)),
        ("Tenure", f"{loan.tenure} months"),
        ("Advance EMI", str(loan.advance_emis)),
        ("Processing Fee", numbers.format_inr(loan.processing_fee)),
        ("Scheme", emi_scheme),
        (
            "First EMI Date",
            numbers.format_date(app.do_date + timedelta(days=30 + rng.randint(0, 15)), "dd/mm/yyyy"),
        ),
        ("Loan Account No", f"{lender.short}{rng.randint(10**9, 10**10 - 1)}"),
        ("Net Disbursal", numbers.format_inr(max(0, loan.loan_amount - loan.processing_fee))),
    ]
    rng.shuffle(noise)
    delivery = person.address.lines(with_state=rng.random() < 0.6, pin_style=rng.choice((" - ", "-", " ")))
    content = DoContent(
        lender=lender.name,
        lender_short=lender.short,
        lender_tagline=lender.tagline,
        lender_address=lender.address,
        lender_cin=lender.cin,
        colour=lender.colour,
        number=app.do_number,
        date_text=numbers.format_date(app.do_date, rng.choice(numbers.DATE_STYLES)),
        dealer_name=dealer.name,
        dealer_address=tuple(
            dealer.address.lines(with_state=rng.random() < 0.5, pin_style=rng.choice((" - ", "-", " ")))
        ),
        customer_name=name,
        mobile=m,
        mobile_text=mobile_text,
        delivery_address=tuple(delivery),
        model=model,
        asset_cost=loan.asset_cost,
        loan_amount=loan.loan_amount,
        down_payment=loan.down_payment,
        noise=tuple(noise[: rng.randint(3, 6)]),
        sign=rng.random() < 0.5,
    )
    labels = {
        "do_number": content.number,
        "do_date": numbers.truth_date(app.do_date),
        "financier_name": join_lines([content.lender]),
        "dealer_name": join_lines([content.dealer_name]),
        "dealer_address": join_lines(list(content.dealer_address)),
        "customer_name": join_lines([content.customer_name]),
        "customer_mobile_number": m,
        "customer_delivery_address": join_lines(list(content.delivery_address)),
        "model": join_lines([content.model]),
        "asset_cost": numbers.truth_amount(content.asset_cost),
        "loan_amount": numbers.truth_amount(content.loan_amount),
        "down_payment": numbers.truth_amount(content.down_payment),
    }
    return content, labels


def _instruction(ctx: CaseContext, content: DoContent) -> str:
    return ctx.style.choice(
        (
            f"Please deliver the asset mentioned below to our customer {content.customer_name} on collection of the down payment. "
            "Kindly send the original invoice, hypothecated in our favour, along with the IMEI / serial number photograph.",
            "We are pleased to inform you that the loan of the below customer has been sanctioned. Please deliver the asset "
            "after verifying the customer's identity and collecting the down payment mentioned below.",
            "This is to authorise you to deliver the following product to the customer. The invoice must be raised in the "
            f"customer's name with hypothecation to {content.lender}.",
        )
    )


def _money(v: int, cur: str) -> str:
    return f"{cur} {numbers.format_inr(v)}".strip()


def _letterhead(page: Page, ctx: CaseContext, content: DoContent, *, margin: int, width: int) -> int:
    st = ctx.style
    fam = pick_family(st, FontRole.SANS)
    mark = logo(
        st, content.lender_short, font_path=fam.bold.path, colour=content.colour, height=st.randint(70, 100)
    )
    page.paste(mark, (margin, margin))
    nf = fam.font(st.randint(40, 50), bold=True)
    page.text(margin + mark.width + 24, margin, content.lender, nf, content.colour)
    tf = fam.font(20, italic=True)
    page.text(
        margin + mark.width + 26, margin + line_height(nf, 1.05), content.lender_tagline, tf, (90, 90, 90)
    )
    y = margin + max(mark.height, int(line_height(nf, 1.05) + line_height(tf))) + 12
    small = fam.font(17)
    page.text(
        margin, y, f"Regd. Office: {content.lender_address}   CIN: {content.lender_cin}", small, (70, 70, 70)
    )
    y += int(line_height(small)) + 6
    page.rect((margin, y, margin + width, y + 5), outline=None, fill=content.colour)
    return y + 25


def render_letter(ctx: CaseContext) -> Rendered:
    """Letter on the lender's letterhead with a two-column key/value table."""
    content, labels = build_content(ctx)
    st = ctx.style
    fam = pick_family(st, st.choice((FontRole.SANS, FontRole.SERIF)))
    page = Page(*A4, vector_text=ctx.vector_text)
    margin = st.randint(70, 100)
    width = A4[0] - 2 * margin
    body = st.randint(21, 24)
    f, fb = fam.font(body), fam.font(body, bold=True)
    lh = line_height(f)
    cur = fam.rupee() if st.random() < 0.5 else "Rs."
    y = _letterhead(page, ctx, content, margin=margin, width=width)
    title = fam.font(32, bold=True)
    page.text(
        A4[0] / 2, y, st.choice(("DELIVERY ORDER", "DELIVERY ORDER", "Delivery Order")), title, align="center"
    )
    y += line_height(title) + 10
    page.text(margin, y, f"{st.choice(('DO No', 'DO Number', 'Ref No'))}: {content.number}", fb)
    page.text(A4[0] - margin, y, f"Date: {content.date_text}", fb, align="right")
    y += lh * 1.6
    page.text(margin, y, "To,", f)
    y += lh
    page.text(margin, y, content.dealer_name, fb)
    y += lh
    y = page.text_lines(margin, y, wrap_components(content.dealer_address, f, width * 0.6), f)
    y += lh * 0.6
    page.text(margin, y, f"Sub: Delivery Order for {content.model}", fb)
    y += lh * 1.5
    page.text(margin, y, "Dear Sir/Madam,", f)
    y += lh * 1.3
    y = page.text_lines(margin, y, wrap_words(_instruction(ctx, content), f, width), f)
    y += lh * 0.8
    rows: list[tuple[str, list[str]]] = [
        (st.choice(("Customer Name", "Applicant Name", "Borrower Name")), [content.customer_name]),
        (st.choice(("Mobile No", "Customer Mobile", "Contact No")), [content.mobile_text]),
        (
            st.choice(("Delivery Address", "Customer Address")),
            wrap_components(content.delivery_address, f, width * 0.62),
        ),
        (st.choice(("Asset Model", "Model", "Product")), [content.model]),
        (st.choice(("Asset Cost", "Invoice Amount", "Cost of Asset")), [_money(content.asset_cost, cur)]),
        (st.choice(("Loan Amount", "Finance Amount", "Amount Financed")), [_money(content.loan_amount, cur)]),
        (
            st.choice(("Down Payment", "Margin Money", "Customer Contribution")),
            [_money(content.down_payment, cur)],
        ),
    ]
    rows += [(k, [v]) for k, v in content.noise[:4]]
    key_w = int(width * 0.32)
    grid = st.choice([(0, 0, 0), content.colour, (120, 120, 120)])
    for k, vals in rows:
        h = int(len(vals) * lh + 14)
        page.rect((margin, y, margin + width, y + h), outline=grid, width=1)
        page.line((margin + key_w, y, margin + key_w, y + h), fill=grid)
        page.text(margin + 10, y + 7, k, fb)
        page.text_lines(margin + key_w + 12, y + 7, vals, f)
        y += h
    y += lh
    y = page.text_lines(
        margin,
        y,
        wrap_words(
            "The dealer shall ensure that the invoice is raised in the name of the customer and the asset is delivered only after the down payment is received.",
            f,
            width,
        ),
        f,
    )
    y += lh * 1.5
    page.text(margin, y, "Thanking you,", f)
    y += lh
    page.text(margin, y, f"For {content.lender}", fb)
    if content.sign:
        sig = signature(st, 220, 80)
        page.paste(sig, (margin, int(y + lh)))
    y += lh * 4
    page.text(margin, y, "Authorised Signatory", f)
    page.text(
        A4[0] / 2,
        A4[1] - 45,
        "This is a system generated document and does not require a physical signature.",
        fam.font(17),
        (90, 90, 90),
        align="center",
    )
    return Rendered(DocumentType.DELIVERY_ORDER, page, labels, Medium.PAGE)


def render_grid(ctx: CaseContext) -> Rendered:
    """Form-like DO: a header band, a 4-column grid (label | value | label | value)."""
    content, labels = build_content(ctx)
    st = ctx.style
    fam = pick_family(st)
    page = Page(*A4, vector_text=ctx.vector_text)
    margin = st.randint(50, 80)
    width = A4[0] - 2 * margin
    body = st.randint(19, 22)
    f, fb = fam.font(body), fam.font(body, bold=True)
    lh = line_height(f)
    cur = fam.rupee() if st.random() < 0.4 else "Rs."
    c = content.colour
    y = margin
    page.rect((margin, y, margin + width, y + 110), outline=None, fill=c)
    nf = fam.font(42, bold=True)
    page.text(margin + 24, y + 14, content.lender, nf, (255, 255, 255))
    page.text(margin + 26, y + 18 + line_height(nf, 1.0), content.lender_tagline, fam.font(20), tint(c, 0.75))
    page.text(
        margin + width - 24,
        y + 38,
        st.choice(("DELIVERY ORDER", "D.O.")),
        fam.font(30, bold=True),
        (255, 255, 255),
        align="right",
    )
    y += 140
    half = width // 2
    lab_w = int(half * 0.42)

    def pair_row(cells: list[tuple[str, list[str]]], *, full: bool = False) -> None:
        nonlocal y
        h = int(max(len(v) for _, v in cells) * lh + 16)
        x = margin
        w = width if full else half
        for k, vals in cells:
            kw = lab_w
            page.rect((x, y, x + w, y + h), outline=c, width=1)
            page.rect((x, y, x + kw, y + h), outline=c, fill=tint(c, 0.9), width=1)
            page.text(x + 8, y + 8, k, fb)
            page.text_lines(x + kw + 10, y + 8, vals, f)
            x += w
        y += h

    pair_row(
        [
            (st.choice(("DO Number", "DO No")), [content.number]),
            (st.choice(("DO Date", "Date")), [content.date_text]),
        ]
    )
    pair_row([("Dealer Name", [content.dealer_name])], full=True)
    pair_row([("Dealer Address", wrap_components(content.dealer_address, f, width - lab_w - 30))], full=True)
    pair_row(
        [
            (st.choice(("Customer Name", "Applicant")), [content.customer_name]),
            (st.choice(("Mobile", "Customer Mobile")), [content.mobile_text]),
        ]
    )
    pair_row(
        [
            (
                st.choice(("Delivery Address", "Deliver At")),
                wrap_components(content.delivery_address, f, width - lab_w - 30),
            )
        ],
        full=True,
    )
    pair_row([(st.choice(("Asset Model", "Product Model")), [content.model])], full=True)
    pair_row(
        [
            ("Asset Cost", [_money(content.asset_cost, cur)]),
            ("Loan Amount", [_money(content.loan_amount, cur)]),
        ]
    )
    extra = [(k, [v]) for k, v in content.noise]
    pair_row([(st.choice(("Down Payment", "DP Amount")), [_money(content.down_payment, cur)]), extra.pop(0)])
    while len(extra) >= 2:
        pair_row([extra.pop(0), extra.pop(0)])
    y += lh
    y = page.text_lines(margin, y, wrap_words(_instruction(ctx, content), f, width), f)
    y += lh
    y = page.text_lines(
        margin,
        y,
        [
            f"{i}. {t}"
            for i, t in enumerate(
                (
                    "Delivery to be made only to the customer named above.",
                    "Invoice to carry hypothecation in favour of the financier.",
                    "This DO is valid for 7 days from the date of issue.",
                ),
                1,
            )
        ],
        fam.font(body - 2),
    )
    y = max(y + lh * 2, A4[1] - margin - 220)
    if content.sign:
        page.paste(signature(st, 220, 80), (A4[0] - margin - 260, int(y)))
    if st.random() < 0.5:
        page.paste(
            stamp(st, [content.lender, "Credit Dept", "APPROVED"], fam.bold.path, size=170),
            (A4[0] - margin - 480, int(y - 20)),
        )
    page.text(A4[0] - margin, y + 100, f"For {content.lender}", fb, align="right")
    page.text(A4[0] - margin, y + 100 + lh, "Authorised Signatory", f, align="right")
    return Rendered(DocumentType.DELIVERY_ORDER, page, labels, Medium.PAGE)


def render_portal(ctx: CaseContext) -> Rendered:
    """Printout of a lender web portal: sections of label/value pairs, a QR, a print timestamp."""
    content, labels = build_content(ctx)
    st = ctx.style
    fam = pick_family(st, FontRole.SANS)
    page = Page(*A4, vector_text=ctx.vector_text)
    margin = st.randint(45, 70)
    width = A4[0] - 2 * margin
    body = st.randint(19, 21)
    f, fb = fam.font(body), fam.font(body, bold=True)
    lab = fam.font(body - 2)
    lh = line_height(f)
    c = content.colour
    small = fam.font(15)
    page.text(
        margin,
        18,
        f"{numbers.format_date(ctx.app.do_date, 'dd/mm/yyyy')}, {st.randint(9, 19)}:{st.randint(0, 59):02d}",
        small,
        (80, 80, 80),
    )
    page.text(
        A4[0] - margin,
        18,
        f"{content.lender_short.lower()}-dealer-portal / delivery-order",
        small,
        (80, 80, 80),
        align="right",
    )
    y = margin + 10
    mark = logo(st, content.lender_short, font_path=fam.bold.path, colour=c, height=64)
    page.paste(mark, (margin, int(y)))
    page.text(margin + mark.width + 16, y + 10, content.lender, fam.font(34, bold=True), c)
    qr = qr_image(f"DO:{content.number}", 130)
    page.paste(qr, (A4[0] - margin - 130, int(y)))
    y += 150
    page.rect((margin, y, margin + width, y + 56), outline=None, fill=tint(c, 0.85))
    page.text(
        margin + 16,
        y + 12,
        st.choice(("Delivery Order (DO)", "Delivery Order Details", "DELIVERY ORDER")),
        fam.font(26, bold=True),
        c,
    )
    y += 76
    sections = [
        (
            "Order",
            [
                (st.choice(("DO Number", "DO No")), [content.number]),
                ("DO Date", [content.date_text]),
                ("Financier", [content.lender]),
            ],
        ),
        (
            "Customer Details",
            [
                ("Customer Name", [content.customer_name]),
                ("Mobile No", [content.mobile_text]),
                ("Delivery Address", wrap_components(content.delivery_address, f, width / 2 - 40)),
            ],
        ),
        (
            "Asset Details",
            [("Asset Model", [content.model]), ("Asset Cost", [_money(content.asset_cost, "Rs.")])],
        ),
        (
            "Loan Details",
            [
                ("Loan Amount", [_money(content.loan_amount, "Rs.")]),
                ("Down Payment", [_money(content.down_payment, "Rs.")]),
            ]
            + [(k, [v]) for k, v in content.noise],
        ),
        (
            "Dealer Details",
            [
                ("Dealer Name", [content.dealer_name]),
                ("Dealer Address", wrap_components(content.dealer_address, f, width / 2 - 40)),
            ],
        ),
    ]
    for title, pairs in sections:
        page.text(margin, y, title, fb, c)
        y += lh + 4
        page.line((margin, y, margin + width, y), fill=tint(c, 0.5), width=2)
        y += 10
        col = 0
        row_h = 0.0
        for k, vals in pairs:
            x = margin + col * (width // 2)
            page.text(x, y, k, lab, (110, 110, 110))
            end = page.text_lines(x, y + line_height(lab), vals, f)
            row_h = max(row_h, end - y)
            col += 1
            if col == 2:
                col = 0
                y += row_h + 10
                row_h = 0
        if col:
            y += row_h + 10
        y += 14
    y += lh
    y = page.text_lines(margin, y, wrap_words(_instruction(ctx, content), f, width), f)
    page.text(
        margin,
        A4[1] - margin,
        f"Generated by {content.lender_short} Dealer Portal. Page 1 of 1",
        small,
        (90, 90, 90),
    )
    return Rendered(DocumentType.DELIVERY_ORDER, page, labels, Medium.PAGE)


def render_slip(ctx: CaseContext) -> Rendered:
    """A landscape half-page DO slip with values written under their labels (test-only design)."""
    content, labels = build_content(ctx)
    st = ctx.style
    fam = pick_family(st, st.choice((FontRole.SERIF, FontRole.SANS)))
    page = Page(*HALF_A4_LANDSCAPE, vector_text=ctx.vector_text)
    W, H = HALF_A4_LANDSCAPE
    margin = 60
    c = content.colour
    body = st.randint(24, 27)
    f, fb = fam.font(body), fam.font(body, bold=True)
    lab = fam.font(body - 5, bold=True)
    lh = line_height(f)
    page.rect((20, 20, W - 20, H - 20), outline=c, width=4)
    nf = fam.font(40, bold=True)
    page.text(margin, margin - 10, content.lender.upper(), nf, c)
    page.text(W - margin, margin, "DELIVERY ORDER SLIP", fam.font(28, bold=True), align="right")
    y = margin + line_height(nf) + 10
    page.line((margin, y, W - margin, y), fill=c, width=2)
    y += 20
    colw = (W - 2 * margin) // 3

    def cell(x: float, yy: float, label: str, values: list[str]) -> float:
        page.text(x, yy, label.upper(), lab, c)
        return page.text_lines(x, yy + line_height(lab), values, f)

    bottoms = [
        cell(margin, y, "Order No.", [content.number]),
        cell(margin + colw, y, "Order Date", [content.date_text]),
        cell(margin + 2 * colw, y, "Financier", [content.lender]),
    ]
    y = max(bottoms) + 20
    bottoms = [
        cell(margin, y, "Retailer Name", [content.dealer_name]),
        cell(margin + colw, y, "Retailer Address", wrap_components(content.dealer_address, f, colw * 2 - 30)),
    ]
    y = max(bottoms) + 20
    model_lines = wrap_words(content.model, f, colw - 20)
    labels["model"] = join_lines(model_lines)
    bottoms = [
        cell(margin, y, "Borrower Name", [content.customer_name]),
        cell(margin + colw, y, "Contact No", [content.mobile_text]),
        cell(margin + 2 * colw, y, "Product Model", model_lines),
    ]
    y = max(bottoms) + 20
    y = (
        cell(margin, y, "Address of Delivery", wrap_components(content.delivery_address, f, W - 2 * margin))
        + 20
    )
    bottoms = [
        cell(margin, y, "Cost of Asset", [numbers.format_inr(content.asset_cost)]),
        cell(margin + colw, y, "Loan Amt", [numbers.format_inr(content.loan_amount)]),
        cell(margin + 2 * colw, y, "Margin Money", [numbers.format_inr(content.down_payment)]),
    ]
    y = max(bottoms) + 20
    noise = "   |   ".join(f"{k}: {v}" for k, v in content.noise[:3])
    page.text(margin, y, noise, fam.font(18))
    y += lh * 1.5
    page.text_lines(
        margin, y, wrap_words(_instruction(ctx, content), fam.font(18), W - 2 * margin - 380), fam.font(18)
    )
    if content.sign:
        page.paste(signature(st, 220, 80), (W - margin - 260, H - margin - 150))
    page.text(W - margin, H - margin - 50, "Authorised Signatory", fb, align="right")
    return Rendered(DocumentType.DELIVERY_ORDER, page, labels, Medium.PAGE)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "do_letter", DocumentType.DELIVERY_ORDER, DEV_AND_TEST, render_letter, Medium.PAGE, digital_pdf=True
    ),
    Layout("do_grid", DocumentType.DELIVERY_ORDER, DEV_AND_TEST, render_grid, Medium.PAGE, digital_pdf=True),
    Layout(
        "do_portal", DocumentType.DELIVERY_ORDER, DEV_AND_TEST, render_portal, Medium.PAGE, digital_pdf=True
    ),
    Layout("do_slip", DocumentType.DELIVERY_ORDER, TEST_ONLY, render_slip, Medium.PAGE, digital_pdf=True),
)
