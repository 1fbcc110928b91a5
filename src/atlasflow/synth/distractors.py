"""Documents and photos that are none of the accepted types: the engine must call them UNRECOGNISED.

Several share words with accepted types on purpose (a bill with a name and address, a cheque
with an amount in words, a selfie with one face) so that classification cannot lean on one cue.
"""

from __future__ import annotations

from datetime import timedelta

from PIL import Image, ImageEnhance, ImageOps

from atlasflow.domain.types import DocumentType, ErrorCode
from atlasflow.synth import numbers
from atlasflow.synth.fonts import FontRole, pick_family
from atlasflow.synth.model import DEV_AND_TEST, TEST_ONLY, CaseContext, Layout, Medium, Rendered
from atlasflow.synth.render import (
    Colour,
    Page,
    join_lines,
    line_height,
    logo,
    signature,
    tint,
    wrap_components,
    wrap_words,
)
from atlasflow.synth.scenes import PHOTO, light_gradient, person, wall

A4 = (1240, 1754)

_LETTER_SENTENCES = (
    "I am writing to bring to your kind notice the matter mentioned above.",
    "I have been residing at the above address for the last several years with my family.",
    "The street lights in our lane have not been working for more than two weeks.",
    "This has caused a great deal of inconvenience to the elderly and to children returning from school.",
    "I request you to kindly look into the matter at the earliest and do the needful.",
    "I shall be obliged if the records are updated with the new details given below.",
    "Due to a family function in my native place, I will not be able to attend from Monday to Wednesday.",
    "I have enclosed a copy of the necessary documents for your reference.",
    "Kindly grant me permission for the same and oblige.",
    "Please let me know if any further information is required from my side.",
    "The certificate is required for submission along with my scholarship application.",
    "We have already informed the ward office twice, but no action has been taken so far.",
)


def _rendered(page: Page, medium: Medium) -> Rendered:
    return Rendered(
        DocumentType.UNRECOGNISED, page, {}, medium, ErrorCode.UNRECOGNISED, "document not in list"
    )


def render_menu(ctx: CaseContext) -> Rendered:
    st = ctx.style
    fam = pick_family(st, st.choice((FontRole.SERIF, FontRole.SANS)))
    paper: Colour = st.choice([(252, 246, 230), (255, 255, 255), (30, 30, 30)])
    ink: Colour = (240, 230, 200) if paper[0] < 100 else (40, 30, 20)
    page = Page(*A4, paper=paper)
    name = st.choice(
        (
            "Annapurna Veg Restaurant",
            "Hotel Sagar Family Dhaba",
            "Udupi Krishna Bhavan",
            "Spice Route Kitchen",
            "Biryani Point",
        )
    )
    page.text(A4[0] / 2, 80, name, fam.font(56, bold=True), ink, align="center")
    page.text(
        A4[0] / 2,
        160,
        st.choice(("Pure Veg | Family Restaurant", "Since 1987", "North Indian - Chinese - Tandoor")),
        fam.font(26, italic=True),
        ink,
        align="center",
    )
    sections = {
        "Starters": ["Paneer Tikka", "Veg Manchurian", "Chilli Mushroom", "Hara Bhara Kabab", "Crispy Corn"],
        "Main Course": [
            "Dal Makhani",
            "Paneer Butter Masala",
            "Kadai Veg",
            "Chole Masala",
            "Malai Kofta",
            "Jeera Aloo",
        ],
        "Rice & Breads": ["Veg Biryani", "Jeera Rice", "Butter Naan", "Tandoori Roti", "Lachha Paratha"],
        "Beverages": ["Masala Chai", "Filter Coffee", "Sweet Lassi", "Fresh Lime Soda"],
    }
    y = 240
    cur = fam.rupee()
    for title, items in sections.items():
        page.text(100, y, title.upper(), fam.font(32, bold=True), ink)
        y += 50
        for item in items:
            f = fam.font(27)
            page.text(130, y, item, f, ink)
            page.dashed(130 + f.getlength(item) + 12, A4[0] - 260, y + 22, ink, dash=3, gap=6)
            page.text(A4[0] - 110, y, f"{cur} {st.randint(3, 36) * 10}", f, ink, align="right")
            y += 42
        y += 30
    page.text(
        A4[0] / 2,
        A4[1] - 90,
        "GST extra as applicable. Home delivery available.",
        fam.font(22),
        ink,
        align="center",
    )
    return _rendered(page, Medium.PAGE)


def render_cheque(ctx: CaseContext) -> Rendered:
    st, rng = ctx.style, ctx.rng
    fam = pick_family(st)
    w, h = 1400, 640
    base: Colour = st.choice([(225, 240, 250), (240, 235, 220), (230, 245, 230)])
    page = Page(w, h, paper=base)
    bank = st.choice(
        ("Sahyog Co-operative Bank Ltd", "Dakshin Gramin Vikas Bank", "Indus Valley Urban Bank Ltd")
    )
    page.paste(
        logo(
            st,
            "".join(x[0] for x in bank.split()[:2]),
            font_path=fam.bold.path,
            colour=(20, 60, 130),
            height=70,
        ),
        (40, 30),
    )
    page.text(150, 34, bank, fam.font(36, bold=True), (20, 40, 100))
    page.text(
        150,
        80,
        f"Branch: {ctx.app.dealer.address.city.name}   IFSC: SCBL0{rng.randint(10000, 99999)}",
        fam.font(20),
        (40, 40, 60),
    )
    page.text(w - 60, 40, "Date", fam.font(20), align="right")
    page.rect((w - 380, 70, w - 60, 115), outline=(60, 60, 60))
    when = ctx.app.invoice_date
    page.text(w - 370, 78, numbers.format_date(when, "dd-mm-yyyy").replace("-", "  "), fam.font(28))
    payee = ctx.app.person.full_name
    page.text(40, 170, "Pay", fam.font(26))
    page.line((110, 205, w - 300, 205), fill=(80, 80, 80))
    page.text(130, 165, payee, fam.font(30, italic=True), (20, 20, 110))
    page.text(w - 280, 170, "or Bearer", fam.font(22))
    amount = rng.randint(20, 900) * 100
    page.text(40, 240, "Rupees", fam.font(26))
    page.line((140, 275, w - 420, 275), fill=(80, 80, 80))
    words = numbers.amount_in_words(amount).replace("Rupees ", "")
    page.text(150, 235, words, fam.font(26, italic=True), (20, 20, 110))
    page.rect((w - 400, 230, w - 60, 290), outline=(60, 60, 60), width=2)
    page.text(
        w - 390,
        242,
        f"{fam.rupee()} {numbers.format_inr(amount, decimals=False)}/-",
        fam.font(30, bold=True),
        (20, 20, 110),
    )
    page.text(40, 330, f"A/c No. {rng.randint(10**13, 10**14 - 1)}", fam.font(28, bold=True))
    page.paste(signature(st, 260, 90), (w - 420, 370))
    page.text(w - 80, 470, "Please sign above", fam.font(20), align="right")
    micr = f"⑈{rng.randint(100000, 999999)}⑈ {rng.randint(100000000, 999999999)}⑆ {rng.randint(100000, 999999)}⑈ 29"
    mono = pick_family(st, FontRole.MONO).font(34)
    page.text(200, h - 80, micr.replace("⑈", "|:").replace("⑆", ":|"), mono)
    return _rendered(page, Medium.CARD)


def render_blank(ctx: CaseContext) -> Rendered:
    """A blank or nearly blank page: paper tone, a fold line, maybe a faint mark or page number."""
    st = ctx.style
    fam = pick_family(st)
    tone = st.randint(236, 255)
    page = Page(*A4, paper=(tone, tone, max(0, tone - st.randint(0, 8))))
    if st.random() < 0.5:
        page.line(
            (0, A4[1] // 2, A4[0], A4[1] // 2 + st.randint(-10, 10)),
            fill=(tone - 14, tone - 14, tone - 14),
            width=2,
        )
    kind = st.randrange(3)
    if kind == 1:
        page.text(A4[0] / 2, A4[1] - 80, str(st.randint(2, 9)), fam.font(22), (120, 120, 120), align="center")
    elif kind == 2:
        page.text(
            A4[0] / 2,
            A4[1] / 2 - 40,
            "This page is intentionally left blank",
            fam.font(26, italic=True),
            (150, 150, 150),
            align="center",
        )
    return _rendered(page, Medium.PAGE)


def render_letter(ctx: CaseContext) -> Rendered:
    st, rng = ctx.style, ctx.rng
    fam = pick_family(st, st.choice((FontRole.SERIF, FontRole.SANS)))
    page = Page(*A4)
    f = fam.font(st.randint(23, 26))
    lh = line_height(f, 1.35)
    margin = 120
    p = ctx.app.person
    y = 120
    sender = p.address.lines()
    y = page.text_lines(A4[0] - margin, y, [p.full_name, *wrap_components(sender, f, 500)], f, align="right")
    y += lh
    page.text(margin, y, f"Date: {numbers.format_date(ctx.app.invoice_date, 'dd-Mon-yyyy')}", f)
    y += lh * 2
    recipient = st.choice(("The Branch Manager", "The Principal", "The Secretary", "The Commissioner"))
    y = page.text_lines(
        margin,
        y,
        [
            "To,",
            recipient,
            st.choice(
                (
                    "Residents Welfare Association",
                    "Municipal Corporation",
                    "Govt. High School",
                    "Gram Panchayat Office",
                )
            ),
            ctx.app.dealer.address.city.name,
        ],
        f,
    )
    y += lh
    subject = st.choice(
        (
            "Request for change of address in records",
            "Leave application for three days",
            "Complaint regarding street lights",
            "Request for issue of bonafide certificate",
        )
    )
    page.text(margin, y, f"Subject: {subject}", fam.font(f.size, bold=True))
    y += lh * 1.6
    page.text(margin, y, "Respected Sir/Madam,", f)
    y += lh * 1.4
    sentences = list(_LETTER_SENTENCES)
    rng.shuffle(sentences)
    for k in range(st.randint(2, 3)):
        paragraph = " ".join(sentences[k * 3 : k * 3 + 3])
        y = page.text_lines(margin, y, wrap_words(paragraph, f, A4[0] - 2 * margin), f, spacing=1.35)
        y += lh * 0.6
    y += lh
    page.text(margin, y, "Thanking you,", f)
    page.text(margin, y + lh, "Yours faithfully,", f)
    page.paste(signature(st, 220, 80), (margin, int(y + lh * 2)))
    page.text(margin, y + lh * 2 + 90, p.full_name, f)
    return _rendered(page, Medium.PAGE)


def render_selfie(ctx: CaseContext) -> Rendered:
    """One large face filling much of the frame, a room behind, no box and no document."""
    st = ctx.style
    w, h = PHOTO
    canvas = wall(st, (w, h))
    bust = person(st, st.randint(300, 420))
    fx = (bust.face[0] + bust.face[2]) / 2
    ox = int(w / 2 - fx + st.uniform(-120, 120))
    oy = int(h * st.uniform(0.12, 0.25) - bust.face[1])
    canvas.paste(bust.image, (ox, oy), bust.image)
    canvas = light_gradient(canvas, st, strength=0.25)
    page = Page(w, h)
    page.img = canvas
    return _rendered(page, Medium.PHOTO)


def render_animal(ctx: CaseContext) -> Rendered:
    st = ctx.style
    from skimage import data

    cat = Image.fromarray(data.chelsea())
    scale = st.uniform(2.6, 3.2)
    cat = cat.resize((int(cat.width * scale), int(cat.height * scale)), Image.Resampling.BICUBIC)
    w, h = PHOTO
    x0 = st.randint(0, max(0, cat.width - w))
    y0 = st.randint(0, max(0, cat.height - h))
    img = cat.crop((x0, y0, x0 + w, y0 + h))
    if st.random() < 0.5:
        img = ImageOps.mirror(img)
    img = ImageEnhance.Brightness(img).enhance(st.uniform(0.85, 1.15))
    page = Page(w, h)
    page.img = img
    return _rendered(page, Medium.PHOTO)


def render_electricity_bill(ctx: CaseContext) -> Rendered:
    st, rng = ctx.style, ctx.rng
    fam = pick_family(st, FontRole.SANS)
    page = Page(*A4)
    c: Colour = st.choice([(0, 90, 160), (180, 60, 0), (0, 120, 60)])
    p = ctx.app.person
    company = st.choice(
        (
            "Indrayani Power Distribution Co. Ltd",
            "Sabari Electricity Supply Corporation",
            "Narmada Vidyut Vitaran Co. Ltd",
        )
    )
    page.rect((60, 60, A4[0] - 60, 170), outline=None, fill=c)
    page.text(90, 80, company, fam.font(38, bold=True), (255, 255, 255))
    page.text(90, 130, "ELECTRICITY BILL CUM NOTICE", fam.font(22), tint(c, 0.8))
    f, fb = fam.font(23), fam.font(23, bold=True)
    lh = line_height(f, 1.3)
    y = 210
    units = rng.randint(60, 480)
    rate = rng.choice((4.5, 5.2, 6.1, 7.35))
    energy = round(units * rate, 2)
    fixed = rng.choice((50, 80, 110, 150))
    duty = round(energy * 0.06, 2)
    total = round(energy + fixed + duty)
    bill_date = ctx.app.invoice_date - timedelta(days=rng.randint(5, 40))
    left = [
        ("Consumer No", f"{rng.randint(10**11, 10**12 - 1)}"),
        ("Name", p.full_name),
        ("Address", join_lines(wrap_components(p.address.lines(), f, 520))),
        ("Category", rng.choice(("LT-I Domestic", "LT-II Non Domestic"))),
        ("Meter No", f"{rng.randint(10**7, 10**8 - 1)}"),
        ("Bill Date", numbers.format_date(bill_date, "dd-mm-yyyy")),
        ("Due Date", numbers.format_date(bill_date + timedelta(days=15), "dd-mm-yyyy")),
        ("Previous Reading", str(rng.randint(1000, 9000))),
        ("Units Consumed", str(units)),
    ]
    for k, v in left:
        page.text(90, y, k, fb)
        lines = wrap_words(v, f, 650)
        y2 = page.text_lines(420, y, [f": {lines[0]}", *("  " + x for x in lines[1:])], f)
        y = max(y + lh, y2)
    y += 30
    page.rect((90, y, A4[0] - 90, y + 5), outline=None, fill=c)
    y += 30
    for k, v in (
        ("Energy Charges", energy),
        ("Fixed Charges", fixed),
        ("Electricity Duty", duty),
        ("Net Amount Payable", total),
    ):
        page.text(90, y, k, fb if k.startswith("Net") else f)
        page.text(A4[0] - 90, y, numbers.format_inr(v), fb if k.startswith("Net") else f, align="right")
        y += lh
    y += 40
    bars = [rng.randint(40, 300) for _ in range(12)]
    for i, b in enumerate(bars):
        page.rect((110 + i * 80, y + 320 - b, 160 + i * 80, y + 320), outline=None, fill=tint(c, 0.4))
    page.text(110, y + 330, "Consumption history (units) - last 12 months", fam.font(18))
    page.text(
        A4[0] / 2,
        A4[1] - 100,
        "Pay online or at any collection centre. Please quote your consumer number.",
        fam.font(20),
        align="center",
    )
    return _rendered(page, Medium.PAGE)


def render_train_ticket(ctx: CaseContext) -> Rendered:
    st, rng = ctx.style, ctx.rng
    fam = pick_family(st)
    page = Page(*A4)
    f, fb = fam.font(22), fam.font(22, bold=True)
    lh = line_height(f, 1.3)
    page.text(A4[0] / 2, 70, "Electronic Reservation Slip (ERS)", fam.font(36, bold=True), align="center")
    page.text(
        A4[0] / 2,
        120,
        "Rail Yatri Booking Services - Journey Ticket",
        fam.font(22),
        (80, 80, 80),
        align="center",
    )
    stations = [
        "NELLORE (NLR)",
        "CHENNAI CENTRAL (MAS)",
        "PUNE JN (PUNE)",
        "HOWRAH JN (HWH)",
        "NEW DELHI (NDLS)",
        "BENGALURU (SBC)",
        "SECUNDERABAD (SC)",
        "LUCKNOW (LKO)",
    ]
    a, b = rng.sample(stations, 2)
    y = 200
    pairs = [
        ("PNR", f"{rng.randint(10**9, 10**10 - 1)}"),
        (
            "Train No./Name",
            f"{rng.randint(12000, 22999)} / {rng.choice(('SF EXPRESS', 'MAIL', 'SUPERFAST EXP', 'INTERCITY EXP'))}",
        ),
        ("Class", rng.choice(("SLEEPER (SL)", "AC 3 TIER (3A)", "AC CHAIR CAR (CC)"))),
        ("From", a),
        ("To", b),
        (
            "Date of Journey",
            numbers.format_date(ctx.app.invoice_date + timedelta(days=rng.randint(1, 60)), "dd-Mon-yyyy"),
        ),
        ("Departure", f"{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}"),
        ("Distance", f"{rng.randint(120, 2100)} KM"),
    ]
    for i, (k, v) in enumerate(pairs):
        x = 90 + (i % 2) * 540
        page.text(x, y, k, fb)
        page.text(x + 210, y, v, f)
        if i % 2:
            y += lh
    y += lh * 1.5
    page.text(90, y, "Passenger Details", fam.font(26, bold=True))
    y += lh * 1.2
    cols = ["#", "Name", "Age", "Gender", "Booking Status", "Current Status"]
    xs = [90, 140, 560, 650, 780, 1000]
    for x, cname in zip(xs, cols, strict=True):
        page.text(x, y, cname, fb)
    y += lh
    for i in range(rng.randint(1, 4)):
        nm = (
            ctx.app.person.full_name
            if i == 0
            else f"{rng.choice(('Ramesh', 'Sita', 'Arjun', 'Meena', 'Kiran'))} {ctx.app.person.last}"
        )
        row = [
            str(i + 1),
            nm.upper(),
            str(rng.randint(5, 70)),
            rng.choice(("M", "F")),
            f"CNF/S{rng.randint(1, 9)}/{rng.randint(1, 72)}",
            "CNF",
        ]
        for x, v in zip(xs, row, strict=True):
            page.text(x, y, v, f)
        y += lh
    y += lh
    fare = rng.randint(250, 3800)
    page.text(90, y, f"Total Fare: {fam.rupee()} {numbers.format_inr(fare)}", fb)
    y += lh * 2
    for line in (
        "Passengers are required to carry an original identity proof during the journey.",
        "This ticket is valid only for the passengers listed above.",
        "Please check the train's running status before starting your journey.",
    ):
        page.text(90, y, line, fam.font(19))
        y += lh
    return _rendered(page, Medium.PAGE)


def render_payslip(ctx: CaseContext) -> Rendered:
    """A salary slip: names, amounts and dates like an invoice's, but no accepted type (test only)."""
    st, rng = ctx.style, ctx.rng
    fam = pick_family(st)
    page = Page(*A4)
    f, fb = fam.font(22), fam.font(22, bold=True)
    lh = line_height(f, 1.35)
    company = st.choice(
        ("Krishna Valley Textiles Pvt Ltd", "Godavari Agro Foods Ltd", "Sahyadri Logistics Pvt Ltd")
    )
    page.text(A4[0] / 2, 80, company, fam.font(38, bold=True), align="center")
    month = ctx.app.invoice_date.replace(day=1) - timedelta(days=1)
    page.text(
        A4[0] / 2,
        140,
        f"Salary Slip for the month of {month.strftime('%B %Y')}",
        fam.font(24),
        align="center",
    )
    y = 220
    p = ctx.app.person
    info = [
        ("Employee Name", p.full_name),
        ("Employee ID", f"EMP{rng.randint(1000, 99999)}"),
        ("Designation", rng.choice(("Sales Executive", "Machine Operator", "Accountant", "Supervisor"))),
        ("PAN", p.pan),
        ("Bank A/c", f"XXXXXX{rng.randint(1000, 9999)}"),
        ("Days Paid", str(rng.randint(24, 31))),
    ]
    for i, (k, v) in enumerate(info):
        x = 90 + (i % 2) * 560
        page.text(x, y, k, fb)
        page.text(x + 220, y, f": {v}", f)
        if i % 2:
            y += lh
    y += lh
    basic = rng.randint(90, 400) * 100
    earnings = [
        ("Basic", basic),
        ("HRA", basic * 0.4),
        ("Conveyance", 1600),
        ("Special Allowance", rng.randint(10, 80) * 100),
    ]
    deductions = [
        ("Provident Fund", basic * 0.12),
        ("Professional Tax", 200),
        ("Income Tax (TDS)", rng.randint(0, 30) * 100),
    ]
    page.rect((90, y, A4[0] - 90, y + lh + 10), outline=(0, 0, 0), fill=(235, 235, 235))
    page.text(100, y + 5, "Earnings", fb)
    page.text(A4[0] / 2 + 10, y + 5, "Deductions", fb)
    y += lh + 20
    for i in range(max(len(earnings), len(deductions))):
        if i < len(earnings):
            page.text(100, y, earnings[i][0], f)
            page.text(A4[0] / 2 - 20, y, numbers.format_inr(earnings[i][1]), f, align="right")
        if i < len(deductions):
            page.text(A4[0] / 2 + 10, y, deductions[i][0], f)
            page.text(A4[0] - 100, y, numbers.format_inr(deductions[i][1]), f, align="right")
        y += lh
    gross = sum(v for _, v in earnings)
    ded = sum(v for _, v in deductions)
    y += 10
    page.text(100, y, f"Gross Earnings: {numbers.format_inr(gross)}", fb)
    page.text(A4[0] / 2 + 10, y, f"Total Deductions: {numbers.format_inr(ded)}", fb)
    y += lh * 1.5
    page.text(
        100,
        y,
        f"Net Pay: {numbers.format_inr(gross - ded)}  ({numbers.amount_in_words(round(gross - ded))})",
        fb,
    )
    page.text(
        A4[0] / 2,
        A4[1] - 100,
        "This is a computer generated payslip and does not require a signature.",
        fam.font(19),
        align="center",
    )
    return _rendered(page, Medium.PAGE)


LAYOUTS: tuple[Layout, ...] = (
    Layout("menu", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_menu, Medium.PAGE),
    Layout("cheque", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_cheque, Medium.CARD),
    Layout("blank_page", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_blank, Medium.PAGE),
    Layout("typed_letter", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_letter, Medium.PAGE),
    Layout("selfie", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_selfie, Medium.PHOTO),
    Layout("animal_photo", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_animal, Medium.PHOTO),
    Layout("electricity_bill", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_electricity_bill, Medium.PAGE),
    Layout("train_ticket", DocumentType.UNRECOGNISED, DEV_AND_TEST, render_train_ticket, Medium.PAGE),
    Layout("salary_slip", DocumentType.UNRECOGNISED, TEST_ONLY, render_payslip, Medium.PAGE),
)
