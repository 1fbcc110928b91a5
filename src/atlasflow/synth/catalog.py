"""Products sold on consumer-durable loans: phones (with IMEIs) and appliances (with serial numbers).

Brand and model names are public product names as printed on boxes and invoices.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from atlasflow.synth import numbers


@dataclass(frozen=True, slots=True)
class ProductLine:
    brand: str
    name: str  # marketing name without the brand, e.g. "Galaxy A14 5G"
    code: str  # model code printed on the box sticker
    category: str  # "phone" | "tv" | "ac" | "fridge" | "washer"
    variants: tuple[tuple[str, int], ...]  # (memory or size variant, MRP)
    colours: tuple[str, ...]
    hsn: str


PHONES: tuple[ProductLine, ...] = (
    ProductLine(
        "Samsung",
        "Galaxy A14 5G",
        "SM-A146B",
        "phone",
        (("4GB/64GB", 16499), ("6GB/128GB", 18999)),
        ("Black", "Light Green", "Dark Red"),
        "8517",
    ),
    ProductLine(
        "Samsung",
        "Galaxy M34 5G",
        "SM-M346B",
        "phone",
        (("6GB/128GB", 18999), ("8GB/128GB", 20999)),
        ("Midnight Blue", "Prism Silver", "Waterfall Blue"),
        "8517",
    ),
    ProductLine(
        "Samsung",
        "Galaxy A54 5G",
        "SM-A546E",
        "phone",
        (("8GB/128GB", 38999), ("8GB/256GB", 40999)),
        ("Awesome Graphite", "Awesome Violet", "Awesome Lime"),
        "8517",
    ),
    ProductLine(
        "Samsung",
        "Galaxy F15 5G",
        "SM-E156B",
        "phone",
        (("4GB/128GB", 12999), ("6GB/128GB", 14499)),
        ("Jazzy Green", "Groovy Violet", "Ash Black"),
        "8517",
    ),
    ProductLine(
        "Redmi",
        "Note 13 5G",
        "2312DRAABI",
        "phone",
        (("6GB/128GB", 17999), ("8GB/256GB", 21999)),
        ("Arctic White", "Prism Gold", "Stealth Black"),
        "8517",
    ),
    ProductLine(
        "Redmi",
        "12 5G",
        "23076RN4BI",
        "phone",
        (("4GB/128GB", 11999), ("6GB/128GB", 13499)),
        ("Jade Black", "Pastel Blue", "Moonstone Silver"),
        "8517",
    ),
    ProductLine(
        "vivo",
        "Y28 5G",
        "V2315",
        "phone",
        (("4GB/128GB", 13999), ("6GB/128GB", 15499)),
        ("Crystal Purple", "Glitter Aqua"),
        "8517",
    ),
    ProductLine(
        "vivo",
        "T2x 5G",
        "V2312",
        "phone",
        (("4GB/128GB", 12999), ("8GB/128GB", 15999)),
        ("Marine Blue", "Glimmer Black", "Sunstone Orange"),
        "8517",
    ),
    ProductLine(
        "OPPO",
        "A78 5G",
        "CPH2495",
        "phone",
        (("8GB/128GB", 18999),),
        ("Glowing Black", "Glowing Blue"),
        "8517",
    ),
    ProductLine(
        "realme",
        "narzo 60 5G",
        "RMX3750",
        "phone",
        (("8GB/128GB", 17999), ("8GB/256GB", 19999)),
        ("Mars Orange", "Cosmic Black"),
        "8517",
    ),
    ProductLine(
        "OnePlus",
        "Nord CE 3 Lite 5G",
        "CPH2467",
        "phone",
        (("8GB/128GB", 19999), ("8GB/256GB", 21999)),
        ("Chromatic Gray", "Pastel Lime"),
        "8517",
    ),
    ProductLine(
        "Motorola",
        "moto g54 5G",
        "XT2343-3",
        "phone",
        (("8GB/128GB", 15999), ("12GB/256GB", 18999)),
        ("Midnight Blue", "Mint Green", "Pearl Blue"),
        "8517",
    ),
    ProductLine(
        "POCO",
        "M6 Pro 5G",
        "23076PC4BI",
        "phone",
        (("4GB/64GB", 10999), ("6GB/128GB", 12999)),
        ("Power Black", "Forest Green"),
        "8517",
    ),
    ProductLine(
        "Apple",
        "iPhone 13",
        "A2634",
        "phone",
        (("128GB", 52999), ("256GB", 62999)),
        ("Midnight", "Starlight", "Blue"),
        "8517",
    ),
    ProductLine(
        "Apple",
        "iPhone 15",
        "A3090",
        "phone",
        (("128GB", 69900), ("256GB", 79900)),
        ("Black", "Blue", "Pink"),
        "8517",
    ),
)

APPLIANCES: tuple[ProductLine, ...] = (
    ProductLine(
        "Samsung",
        '55" Crystal 4K Smart LED TV',
        "UA55CUE60AKLXL",
        "tv",
        (("138 cm", 44990),),
        ("Black",),
        "8528",
    ),
    ProductLine(
        "Sony", 'Bravia 43" 4K Google TV', "KD-43X64L", "tv", (("108 cm", 46990),), ("Black",), "8528"
    ),
    ProductLine(
        "LG", "1.5 Ton 5 Star Dual Inverter AC", "RS-Q19YNZE", "ac", (("1.5 Ton", 46490),), ("White",), "8415"
    ),
    ProductLine(
        "Voltas",
        "1.5 Ton 3 Star Inverter Split AC",
        "183V Vectra",
        "ac",
        (("1.5 Ton", 35990),),
        ("White",),
        "8415",
    ),
    ProductLine(
        "Whirlpool",
        "265 L 3 Star Frost Free Refrigerator",
        "IF INV CNV 278",
        "fridge",
        (("265 L", 27990),),
        ("Steel Onyx", "Alpha Steel"),
        "8418",
    ),
    ProductLine(
        "LG",
        "8 Kg 5 Star Front Load Washing Machine",
        "FHM1408BDL",
        "washer",
        (("8 Kg", 36990),),
        ("Middle Black",),
        "8450",
    ),
    ProductLine(
        "Godrej",
        "7 Kg Top Load Washing Machine",
        "WTEON 700 AP",
        "washer",
        (("7 Kg", 17490),),
        ("Graphite Grey",),
        "8450",
    ),
)


@dataclass(frozen=True, slots=True)
class Product:
    """One unit sold: a product line with its chosen variant, colour, price and unit identifiers."""

    line: ProductLine
    variant: str
    colour: str
    mrp: int
    price: int  # selling price on the invoice (at or a little below MRP)
    imeis: tuple[str, ...]  # empty for appliances
    serial: str  # appliance serial number; "" for phones

    @property
    def is_phone(self) -> bool:
        return self.line.category == "phone"

    @property
    def short_model(self) -> str:
        """'Samsung Galaxy A14 5G': how lenders' delivery orders usually name the asset."""
        return f"{self.line.brand} {self.line.name}"

    def invoice_description(self, style: int) -> str:
        """The invoice's item description; billing software differ in what they include."""
        b, n, v, c = self.line.brand, self.line.name, self.variant, self.colour
        if not self.is_phone:
            return [f"{b} {n} {self.line.code}", f"{b} {n}", f"{b} {self.line.code} {n}"][style % 3]
        return [
            f"{b} {n} ({v}) {c}",
            f"{b} {n} {v} {c}",
            f"{b.upper()} {n.upper()} {v}",
            f"{b} {n} {self.line.code} ({v})",
        ][style % 4]


def make_product(rng: random.Random, *, phone: bool | None = None) -> Product:
    if phone is None:
        phone = rng.random() < 0.8
    line = rng.choice(PHONES if phone else APPLIANCES)
    variant, mrp = rng.choice(line.variants)
    price = mrp - rng.choice((0, 0, 0, 500, 1000, 1500, 2000)) if mrp > 15000 else mrp
    imeis: tuple[str, ...] = ()
    serial = ""
    if line.category == "phone":
        imeis = numbers.fake_imei_pair(rng)
    else:
        serial = "".join(
            rng.choice(string.digits + string.ascii_uppercase[:6]) for _ in range(rng.choice((10, 12, 14)))
        )
    return Product(line, variant, rng.choice(line.colours), mrp, price, imeis, serial)
