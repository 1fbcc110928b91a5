"""One synthetic loan application: the customer, dealer, lender, product and loan terms that
every document of the same case number shares, so cross-checks between them are meaningful.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from atlasflow.synth import numbers
from atlasflow.synth.catalog import Product, make_product
from atlasflow.synth.people import Dealer, Lender, Person, make_dealer, make_person, pick_lender


@dataclass(frozen=True, slots=True)
class Loan:
    asset_cost: int
    down_payment: int
    loan_amount: int
    tenure: int  # months
    emi: int
    advance_emis: int
    processing_fee: int


@dataclass(frozen=True, slots=True)
class Application:
    person: Person
    dealer: Dealer
    lender: Lender
    product: Product
    accessory: tuple[str, int] | None  # (description, price) billed with the product
    invoice_date: date
    do_date: date
    invoice_number: str
    do_number: str
    hypothecated: bool
    loan: Loan

    @property
    def invoice_total(self) -> int:
        return self.product.price + (self.accessory[1] if self.accessory else 0)


_ACCESSORIES = (
    ("Tempered Glass", 299),
    ("Back Cover", 349),
    ("Screen Guard", 199),
    ("Extended Warranty 1 Yr", 999),
    ("Type-C Charger 25W", 1299),
)


def _invoice_number(rng: random.Random, when: date) -> str:
    fy = numbers.financial_year(when)
    n = rng.randint(12, 9999)
    style = rng.randrange(7)
    prefix = rng.choice(("INV", "GT", "SR", "RI", "TI", "BL"))
    return [
        f"{prefix}/{fy}/{n:04d}",
        f"{prefix}-{fy.replace('-', '')}-{n:05d}",
        f"{n}",
        f"{fy}/{prefix}/{n:04d}",
        f"{prefix}{when.year % 100:02d}{n:05d}",
        f"A/{n}",
        f"{prefix}/{n:04d}/{fy}",
    ][style]


def _do_number(rng: random.Random, lender: Lender, when: date) -> str:
    n = rng.randint(1000, 9_999_999)
    style = rng.randrange(4)
    return [
        f"{lender.short}/DO/{when.year}/{n:07d}",
        f"DO-{when.year % 100:02d}{when.month:02d}-{n:07d}",
        f"{lender.short}{when.year % 100:02d}{when.month:02d}DO{n:06d}"[:22],
        f"{n:08d}",
    ][style]


def make_application(rng: random.Random) -> Application:
    """A coherent application; most customers live in the dealer's city, as loans are sold in store."""
    dealer = make_dealer(rng)
    city = dealer.address.city if rng.random() < 0.85 else None
    person = make_person(rng, city=city)
    lender = pick_lender(rng)
    product = make_product(rng)
    accessory = rng.choice(_ACCESSORIES) if product.is_phone and rng.random() < 0.2 else None
    start = date(2024, 4, 1)
    invoice_date = start + timedelta(days=rng.randint(0, 600))
    do_date = invoice_date - timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)))
    total = product.price + (accessory[1] if accessory else 0)
    tenure = rng.choice((6, 8, 9, 10, 12, 15, 18, 24))
    down = rng.choice((0.1, 0.15, 0.2, 0.25, 0.3, 0.35))
    down_payment = int(round(total * down, -2))
    if rng.random() < 0.3:  # zero-cost EMI schemes take the down payment as EMIs in advance
        down_payment = int(round(total / tenure)) * rng.choice((1, 2, 3))
    loan_amount = total - down_payment
    loan = Loan(
        asset_cost=total,
        down_payment=down_payment,
        loan_amount=loan_amount,
        tenure=tenure,
        emi=int(round(loan_amount / tenure)),
        advance_emis=rng.choice((0, 1, 2)),
        processing_fee=rng.choice((0, 199, 299, 499, 999)),
    )
    return Application(
        person=person,
        dealer=dealer,
        lender=lender,
        product=product,
        accessory=accessory,
        invoice_date=invoice_date,
        do_date=do_date,
        invoice_number=_invoice_number(rng, invoice_date),
        do_number=_do_number(rng, lender, do_date),
        hypothecated=rng.random() < 0.7,
        loan=loan,
    )
