"""Labelled pairs for measuring the scorers: the same entity written two ways, and hard
different-entity pairs, for every kind. Synthetic (Faker en_IN), seeded, no real person.

The variants are the ways documents of one loan differ in practice -- abbreviations,
left-out parts, romanisation, OCR glyph swaps, reordering, prefixes -- and the negatives
are the near misses a lender must not wave through: same first name, same street with
another house number, a neighbouring PIN, one digit off, a sibling phone model.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

from faker import Faker

from atlasflow.similarity.text import make_token


@dataclass(frozen=True, slots=True)
class Pair:
    kind: str  # a `score` kind; "name" also holds business names (DEALER_NAME)
    a: object
    b: object
    same: bool
    variant: str  # how b was made from a, for reading mistakes
    group: str = ""  # a finer row of the report ("name/business")

    @property
    def row(self) -> str:
        return self.group or self.kind


# --- text noise shared by several kinds ---------------------------------------------

_OCR_SWAPS = [("O", "0"), ("o", "0"), ("I", "1"), ("l", "1"), ("i", "1"), ("S", "5"), ("s", "5"), ("B", "8"),
              ("m", "rn"), ("rn", "m"), ("g", "q"), ("e", "c"), ("h", "b"), ("u", "v"), ("Z", "2")]  # fmt: skip


def ocr_noise(rng: random.Random, text: str, swaps: int = 1) -> str:
    for _ in range(swaps):
        options = [(x, y) for x, y in _OCR_SWAPS if x in text]
        if not options:
            break
        x, y = rng.choice(options)
        positions = [i for i in range(len(text)) if text.startswith(x, i)]
        i = rng.choice(positions)
        text = text[:i] + y + text[i + len(x) :]
    return text


def case_noise(rng: random.Random, text: str) -> str:
    style = rng.randrange(4)
    return (
        text.upper() if style == 0 else text.lower() if style == 1 else text.title() if style == 2 else text
    )


def spacing_noise(rng: random.Random, text: str) -> str:
    text = text.replace(", ", rng.choice([", ", ",", " , ", " "]))
    return text if rng.random() < 0.5 else "  ".join(text.split(" ")) if rng.random() < 0.3 else text


# --- romanisation of Indian names -------------------------------------------------------

_ROMANISATIONS = [("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("sh", "s"), ("s", "sh"), ("v", "w"), ("w", "v"),
                  ("ph", "f"), ("f", "ph"), ("th", "t"), ("dh", "d"), ("bh", "b"), ("kh", "k"), ("ksh", "x"),
                  ("x", "ksh"), ("au", "ou"), ("ou", "au"), ("tt", "t"), ("nn", "n"), ("t", "tt"), ("j", "z"),
                  ("y", "i"), ("q", "k")]  # fmt: skip
_SPELLING_GROUPS = [["Mohammed", "Mohd", "Muhammad", "Mohammad", "Md"], ["Lakshmi", "Laxmi"], ["Kumar", "Kr"],
                    ["Prasad", "Pd"], ["Choudhary", "Chaudhary", "Chowdhury"], ["Agarwal", "Aggarwal", "Agrawal"],
                    ["Srinivas", "Shrinivas", "Sreenivas", "Srinivasa"], ["Syed", "Sayed"], ["Sheikh", "Shaikh"],
                    ["Hussain", "Husain"], ["Ahmed", "Ahmad"], ["Rahman", "Rehman"], ["Jyoti", "Jyothi"],
                    ["Satish", "Sateesh", "Sathish"], ["Venkatesh", "Venkatesha"], ["Narayan", "Narayana"]]  # fmt: skip


def romanise(rng: random.Random, word: str) -> str:
    """Another common romanisation of one word (Shrinivas for Srinivas); a phrase gets one
    of its words respelt."""
    if " " in word:
        words = word.split(" ")
        i = rng.randrange(len(words))
        words[i] = romanise(rng, words[i])
        return " ".join(words)
    lowered = word.lower()
    # A rewrite that would double a letter pair already there (sh -> shh) is no spelling.
    options = [(x, y) for x, y in _ROMANISATIONS if x in lowered[1:] and y not in lowered]
    if lowered.endswith(("a", "i")) and len(word) > 4:
        options.append(("<end>", ""))
    if not options:
        return word
    x, y = rng.choice(options)
    if x == "<end>":
        out = lowered[:-1] if lowered.endswith("a") else lowered + "e"
    else:
        i = lowered.index(x, 1)
        out = lowered[:i] + y + lowered[i + len(x) :]
    if re.search(r"(.)\1\1", out):
        return word  # "Eeeravati" is nobody's spelling
    return out.capitalize() if word[:1].isupper() else out


# --- people --------------------------------------------------------------------------------


class _People:
    def __init__(self, faker: Faker, rng: random.Random) -> None:
        self.faker, self.rng = faker, rng
        provider = faker.provider("faker.providers.person")
        self.first_names: list[str] = sorted(
            set(getattr(provider, "first_names", ())) or {faker.first_name() for _ in range(300)}
        )
        self.last_names: list[str] = sorted(
            set(getattr(provider, "last_names", ())) or {faker.last_name() for _ in range(300)}
        )

    def full(self) -> list[str]:
        rng = self.rng
        parts = [rng.choice(self.first_names)]
        if rng.random() < 0.35:
            parts.append(
                rng.choice(
                    ["Kumar", "Chandra", "Prasad", "Lal", "Devi", "Rani", rng.choice(self.first_names)]
                )
            )
        if rng.random() < 0.3:
            group = rng.choice(_SPELLING_GROUPS)
            parts[rng.randrange(len(parts))] = group[0]
        parts.append(rng.choice(self.last_names))
        return parts

    def near_first(self, first: str) -> str:
        """Another first name that looks like this one (Ramesh/Rajesh), not a spelling of it."""
        from rapidfuzz import fuzz

        candidates = [
            n for n in self.first_names if n != first and fuzz.ratio(n.lower(), first.lower()) >= 70
        ]
        # Not a spelling of the same name (Shrinivas/Srinivas): another name that looks alike.
        candidates = [
            n
            for n in candidates
            if len(n) >= 4 and make_token(n.lower()).key != make_token(first.lower()).key
        ]
        chosen: str = self.rng.choice(candidates or self.first_names)
        return chosen


def _same_person(rng: random.Random, parts: list[str]) -> tuple[str, str]:
    """Another way documents write this person: (as written, how it was varied)."""
    first, middle, last = parts[0], parts[1:-1], parts[-1]
    ops = rng.sample(["initial", "south", "reorder", "drop_last", "drop_middle", "spelling", "spelling", "merge"],
                     rng.choice([1, 1, 2, 2, 3]))  # fmt: skip
    used: list[str] = []
    words = [first, *middle, last]
    order = "natural"
    for op in ops:
        if op == "spelling":
            i = rng.randrange(len(words))
            group = next((g for g in _SPELLING_GROUPS if words[i] in g), None)
            words[i] = rng.choice([g for g in group if g != words[i]]) if group else romanise(rng, words[i])
        elif op == "drop_last" and len(words) >= 2 and "drop_middle" not in used:
            words = words[:-1]
        elif op == "drop_middle" and len(words) >= 3:
            words = [words[0], words[-1]]
        elif op == "initial" and len(words) >= 2:
            # One part of a longer name as an initial; the other parts stay written out.
            i = rng.randrange(len(words))
            words[i] = words[i][0] + rng.choice([".", "", ". "]).rstrip()
        elif op == "south" and len(words) >= 2:
            order = "south"  # K. Ramesh for Ramesh Kumar
        elif op == "reorder" and len(words) >= 2:
            order = "surname first"
        elif op == "merge" and len(words) >= 3:
            words = [words[0] + words[1].lower()] + words[2:]
        else:
            continue
        used.append(op)
    if order == "south" and len(words) < 2:
        order = "natural"
    if sum(len(w.rstrip(".")) > 1 for w in (words[:-1] if order == "south" else words)) == 0:
        words, order = [first, *words[1:]], "natural"  # an initial alone names nobody
    if order == "south":
        words = [words[-1][0] + "."] + words[:-1]
    elif order == "surname first":
        words = [words[-1]] + words[:-1]
    text_b = " ".join(words)
    if rng.random() < 0.25:
        text_b = (
            rng.choice(["Mr.", "Mrs", "Ms.", "Shri", "Smt.", "Kumari", "Dr.", "Sri", "MR"]) + " " + text_b
        )
        used.append("honorific")
    if rng.random() < 0.1:
        text_b += f" {rng.choice(['S/O', 'D/O', 'W/O', 'C/O'])} {rng.choice(['Ramesh', 'Suresh Kumar', 'Mohan Lal'])}"
        used.append("relation")
    if rng.random() < 0.3:
        text_b = ocr_noise(rng, text_b)
        used.append("ocr")
    return " ".join(parts), case_noise(rng, text_b) + "|" + ("+".join(used) or "case")


def name_pairs(faker: Faker, rng: random.Random, n: int) -> Iterator[Pair]:
    people = _People(faker, rng)
    for _ in range(n):
        parts = people.full()
        a, b_and_ops = _same_person(rng, parts)
        b, ops = b_and_ops.rsplit("|", 1)
        yield Pair("name", a, b, True, ops)
    for _ in range(n):
        parts = people.full()
        other = list(parts)
        choice = rng.randrange(6)
        if choice == 0:
            other = people.full()
            label = "different person"
        elif choice == 1:
            other[-1] = rng.choice([x for x in people.last_names if x != parts[-1]])
            label = "same first name, other surname"
        elif choice == 2:
            other[0] = rng.choice([x for x in people.first_names if x != parts[0]])
            label = "same surname, other first name"
        elif choice == 3:
            other[0] = people.near_first(parts[0])
            label = "look-alike first name"
        elif choice == 4:
            other = [parts[0], rng.choice([x for x in people.last_names if x != parts[-1]])]
            other = [other[0][0] + "."] + [other[1]] if rng.random() < 0.3 else other
            label = "same first name, other surname, shorter"
        else:
            other = [parts[0], rng.choice(["Kumar", "Chandra", "Prasad", "Lal"]), parts[-1]]
            if len(parts) == 3 and parts[1] == other[1]:
                other[1] = "Mohan"
            if len(parts) < 3:
                other = [parts[0], parts[-1]]
                other[0] = rng.choice([x for x in people.first_names if x != parts[0]])
            label = "other middle name"
        b = " ".join(other)
        if rng.random() < 0.3:
            b = case_noise(rng, b)
        yield Pair("name", " ".join(parts), b, False, label)


# --- businesses -------------------------------------------------------------------------

_TRADES = ["Mobiles", "Electronics", "Enterprises", "Traders", "Agencies", "Communications", "Telecom", "Mobile World",
           "Digital", "Home Appliances", "Mobile Point", "Mobile Gallery", "Retail", "Stores"]  # fmt: skip
_TRADE_ABBR = {"Enterprises": "Ent.", "Electronics": "Elec.", "Mobiles": "Mob.", "Communications": "Comm.",
               "Traders": "Trading", "Stores": "Store", "Agencies": "Agency"}  # fmt: skip
_SHOP_WORDS = ["Balaji", "Sai", "Ganesh", "Lakshmi", "Krishna", "Venkateswara", "Durga", "Sri Ram", "Om", "Jai Bharat",
               "Royal", "Star", "Galaxy", "Metro", "City", "New India", "Ambika", "Mahalaxmi", "Shiv Shakti", "Kamakshi",
               "Annapurna", "Siddhi Vinayak", "Poorvika", "Sangeetha", "Lot", "Bismillah", "Guru Nanak", "Vishal",
               "Apna", "Universal", "Modern", "Classic", "Prime", "Supreme", "Vijay", "Rajdhani", "Kaveri", "Ganga",
               "Sunrise", "Mehta", "Agarwal", "Reliance", "Jio Point", "Kalyan", "Bharat", "Anand", "Murugan"]  # fmt: skip


def _shop_name(rng: random.Random, faker: Faker) -> tuple[str, str, str]:
    head = rng.choice(_SHOP_WORDS) if rng.random() < 0.7 else faker.last_name()
    if rng.random() < 0.3:
        head = rng.choice(["Sri", "Shree", "New"]) + " " + head
    trade = rng.choice(_TRADES)
    legal = rng.choice(["", "", "Pvt Ltd", "Pvt. Ltd.", "Private Limited", "& Co", "LLP"])
    return head, trade, legal


def business_pairs(faker: Faker, rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        head, trade, legal = _shop_name(rng, faker)
        a = " ".join(x for x in (head, trade, legal) if x)
        ops = []
        b_head, b_trade, b_legal = head, trade, legal
        for _ in range(rng.choice([1, 2])):
            op = rng.randrange(7)
            if op == 0:
                b_legal = "" if b_legal else rng.choice(["Pvt Ltd", "Private Limited"])
                ops.append("legal suffix")
            elif op == 1 and b_trade in _TRADE_ABBR:
                b_trade = _TRADE_ABBR[b_trade]
                ops.append("abbreviation")
            elif op == 2 and "m/s" not in ops:
                ops.append("m/s")
            elif op == 3:
                b_head = (
                    b_head.replace("Sri ", "").replace("Shree ", "").replace("New ", "")
                    if " " in b_head
                    else "Sri " + b_head
                )
                ops.append("prefix")
            elif op == 4:
                b_head = ocr_noise(rng, b_head)
                ops.append("ocr")
            elif op == 5:
                b_head = romanise(rng, b_head)
                ops.append("romanisation")
            else:
                b_trade = b_trade.replace(" ", "") if " " in b_trade else b_trade
                ops.append("spacing")
        if "m/s" in ops:
            b_head = rng.choice(["M/s ", "M/S. ", "M/s. "]) + b_head
        b = case_noise(rng, " ".join(x for x in (b_head, b_trade, b_legal) if x))
        yield Pair("name", a, b, True, "+".join(ops), "name/business")
    for _ in range(n):
        head, trade, legal = _shop_name(rng, faker)
        a = " ".join(x for x in (head, trade, legal) if x)
        base = (
            head.split(" ", 1)[1]
            if head.split(" ", 1)[0] in ("Sri", "Shree", "New") and " " in head
            else head
        )
        if rng.random() < 0.6:
            other = rng.choice([w for w in _SHOP_WORDS if w != base])
            b = " ".join(x for x in (other, trade, legal) if x)
            label = "other shop, same trade"
        else:
            other_trade = rng.choice([t for t in _TRADES if t.split()[0] != trade.split()[0]])
            other_head = rng.choice([w for w in _SHOP_WORDS if w != base])
            b = f"{other_head} {other_trade}"
            label = "other shop"
        yield Pair("name", a, case_noise(rng, b), False, label, "name/business")


# --- addresses ----------------------------------------------------------------------------

_STREET_KINDS = [("Road", "Rd"), ("Street", "St"), ("Nagar", "Ngr"), ("Colony", "Col"), ("Lane", "Ln"), ("Layout", "Lyt"),
                 ("Main Road", "Main Rd"), ("Cross", "Crs"), ("Marg", "Marg"), ("Extension", "Extn")]  # fmt: skip
_BUILDINGS = [("Apartments", "Apts"), ("Complex", "Cmplx"), ("Residency", "Residency"), ("Towers", "Towers"),
              ("Building", "Bldg"), ("Enclave", "Enclave")]  # fmt: skip
_ALIASED_CITIES = [("Bangalore", "Bengaluru"), ("Bombay", "Mumbai"), ("Gurgaon", "Gurugram"), ("Madras", "Chennai"),
                   ("Calcutta", "Kolkata"), ("Poona", "Pune"), ("Baroda", "Vadodara"), ("Mysore", "Mysuru"),
                   ("Vizag", "Visakhapatnam"), ("Trivandrum", "Thiruvananthapuram")]  # fmt: skip
_STATE_ABBR = {"Andhra Pradesh": "AP", "Tamil Nadu": "TN", "Karnataka": "KA", "Maharashtra": "MH", "Uttar Pradesh": "UP",
               "West Bengal": "WB", "Madhya Pradesh": "MP", "Gujarat": "GJ", "Telangana": "TS", "Kerala": "KL",
               "Rajasthan": "RJ", "Haryana": "HR", "Punjab": "PB", "Bihar": "BR"}  # fmt: skip


@dataclass
class _Address:
    house_label: str
    house: str
    building: tuple[str, str] | None  # (name, kind index word)
    street: tuple[str, int]
    locality: str
    landmark: str
    city: str
    state: str
    pin: str

    def render(self, rng: random.Random, *, short: bool = False, parts_order: bool = False) -> str:
        kind_full, kind_abbr = _STREET_KINDS[self.street[1]]
        street_kind = kind_abbr if short else kind_full
        pieces = [f"{self.house_label} {self.house}".strip()]
        if self.building:
            name, kind = self.building
            full, abbr = next(b for b in _BUILDINGS if kind in b)
            pieces.append(f"{name} {abbr if short else full}")
        pieces.append(f"{self.street[0]} {street_kind}")
        if self.locality:
            pieces.append(self.locality)
        if self.landmark:
            word = rng.choice(["Nr", "Opp."]) if short else rng.choice(["Near", "Opposite"])
            pieces.append(f"{word} {self.landmark}")
        tail = [self.city] if self.city else []
        if self.state:
            tail.append(
                _STATE_ABBR.get(self.state, self.state) if short and rng.random() < 0.7 else self.state
            )
        if parts_order:
            rng.shuffle(pieces)
        city_pin = (
            f"{', '.join(tail)} - {self.pin}" if rng.random() < 0.5 else f"{', '.join(tail)} {self.pin}"
        )
        return ", ".join(pieces + [city_pin.strip(" -")])


def _random_house(rng: random.Random) -> tuple[str, str]:
    label = rng.choice(["", "H.No.", "D.No.", "No.", "#", "Flat", "Plot No."])
    style = rng.randrange(5)
    if style == 0:
        house = str(rng.randint(1, 999))
    elif style == 1:
        house = f"{rng.randint(1, 99)}/{rng.randint(1, 99)}"
    elif style == 2:
        house = f"{rng.randint(1, 30)}-{rng.randint(1, 20)}-{rng.randint(1, 300)}"
    elif style == 3:
        house = f"{rng.choice('ABCDEFG')}-{rng.randint(1, 15)}0{rng.randint(1, 9)}"
    else:
        house = f"{rng.randint(1, 400)}{rng.choice(['', 'A', 'B'])}"
    return label, house


def _random_address(faker: Faker, rng: random.Random) -> _Address:
    label, house = _random_house(rng)
    building = (
        (
            faker.last_name() + rng.choice(["", " Sai", " Heights"]).replace(" Heights", ""),
            rng.choice(_BUILDINGS)[0],
        )
        if rng.random() < 0.4
        else None
    )
    street = (
        rng.choice(
            [faker.last_name(), faker.first_name(), "Gandhi", "Nehru", "Station", "Temple", "Market", "MG"]
        ),
        rng.randrange(len(_STREET_KINDS)),
    )
    locality = faker.street_name().replace("Road", "").strip() if rng.random() < 0.6 else ""
    landmark = rng.choice(
        ["", "", "", f"{faker.last_name()} Temple", "Bus Stand", "SBI Bank", "Water Tank", "Govt School"]
    )
    city = rng.choice(_ALIASED_CITIES)[0] if rng.random() < 0.2 else faker.city()
    state = faker.state() if rng.random() < 0.7 else ""
    pin = str(rng.randint(11, 85)) + f"{rng.randint(0, 9999):04d}"  # Indian PINs start 11-85
    return _Address(label, house, building, street, locality, landmark, city, state, pin)


def _city_alias(city: str) -> str:
    for old, new in _ALIASED_CITIES:
        if city == old:
            return new
        if city == new:
            return old
    return city


def address_pairs(faker: Faker, rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        addr = _random_address(faker, rng)
        a = addr.render(rng)
        b_addr = _Address(**vars(addr))
        ops = []
        short = rng.random() < 0.6
        if short:
            ops.append("abbreviations")
        if rng.random() < 0.3 and b_addr.state:
            b_addr.state = ""
            ops.append("no state")
        if rng.random() < 0.3 and b_addr.landmark:
            b_addr.landmark = ""
            ops.append("no landmark")
        if rng.random() < 0.3:
            b_addr.city = _city_alias(b_addr.city)
            ops.append("city alias")
        if rng.random() < 0.2:
            b_addr.house_label = rng.choice(["", "No.", "H.No", "#", "Door No"])
            ops.append("house label")
        if rng.random() < 0.15:
            b_addr.pin = b_addr.pin[:3] + " " + b_addr.pin[3:]
            ops.append("pin spacing")
        elif rng.random() < 0.1:
            b_addr.pin = ""
            ops.append("no PIN")
        if rng.random() < 0.15 and b_addr.pin:
            b_addr.city = ""
            ops.append("no city")
        b = b_addr.render(rng, short=short, parts_order=rng.random() < 0.2)
        if rng.random() < 0.3:
            b = ocr_noise(rng, b, rng.choice([1, 2]))
            ops.append("ocr")
        if rng.random() < 0.2:
            b = b.replace(", ", "\n" if rng.random() < 0.3 else " ").replace("\n", ", ")
            ops.append("no commas")
        yield Pair("address", a, case_noise(rng, spacing_noise(rng, b)), True, "+".join(ops) or "format")
    for _ in range(n):
        addr = _random_address(faker, rng)
        a = addr.render(rng)
        b_addr = _Address(**vars(addr))
        choice = rng.randrange(5)
        if choice == 0:
            b_addr = _random_address(faker, rng)
            label = "different address"
        elif choice == 1:
            _, other = _random_house(rng)
            while other == addr.house:
                _, other = _random_house(rng)
            b_addr.house = other
            label = "same street, other house number"
        elif choice == 2:
            digit = int(addr.pin[-1])
            b_addr.pin = addr.pin[:-1] + str((digit + rng.randint(1, 9)) % 10)
            label = "neighbouring PIN"
        elif choice == 3:
            b_addr.street = (faker.last_name(), addr.street[1])
            b_addr.house = _random_house(rng)[1]
            label = "same locality and city, other street and house"
        else:
            b_addr = _random_address(faker, rng)
            b_addr.city, b_addr.state, b_addr.pin = addr.city, addr.state, addr.pin
            label = "same city and PIN, other address"
        b = b_addr.render(rng, short=rng.random() < 0.5)
        yield Pair("address", a, case_noise(rng, b), False, label)


_WORD_ABBREVIATIONS = [("Street", "St."), ("Road", "Rd"), ("Nagar", "Ngr"), ("Chowk", "Chk"), ("Colony", "Col."),
                       ("House No.", "H.No."), ("Near", "Nr."), ("Opposite", "Opp."), ("District", "Dist."),
                       ("Apartments", "Apts"), ("Sector", "Sec.")]  # fmt: skip


def _faker_line_address(faker: Faker, rng: random.Random) -> tuple[str, str, str]:
    """Faker's own address lines ("H.No. 29, Upadhyay Chowk\nDanapur-381312"), split as
    (house and street, city, PIN), with a realistic PIN."""
    raw = faker.address()
    lines = [part.strip() for line in raw.split("\n") for part in line.split(", ")]
    tail = lines[-1]
    city = tail.rsplit("-", 1)[0].rsplit(" ", 1)[0].strip()
    pin = str(rng.randint(11, 85)) + f"{rng.randint(0, 9999):04d}"
    return ", ".join(lines[:-1]), city, pin


def _render_line_address(rng: random.Random, street: str, city: str, pin: str, *, state: str = "") -> str:
    joiner = rng.choice([", ", "\n", " "])
    city_pin = rng.choice(
        [f"{city}-{pin}", f"{city} - {pin}", f"{city} {pin}", f"{city}, PIN: {pin}", f"{city}, {pin}"]
    )
    parts = [street, city_pin] if not state else [street, city_pin.replace(pin, state + " " + pin)]
    return joiner.join(parts)


def faker_address_pairs(faker: Faker, rng: random.Random, n: int) -> Iterator[Pair]:
    """Pairs over Faker's address formats, so the scorer is not measured on one layout only."""
    for _ in range(n):
        street, city, pin = _faker_line_address(faker, rng)
        a = _render_line_address(rng, street, city, pin)
        ops = []
        b_street = street
        for full, short in _WORD_ABBREVIATIONS:
            if re.search(rf"\b{re.escape(full)}\b", b_street) and rng.random() < 0.6:
                b_street = re.sub(rf"\b{re.escape(full)}\b", short, b_street)
                ops.append("abbreviation")
        if rng.random() < 0.3:
            b_street = b_street.replace("H.No. ", rng.choice(["House No ", "#", "No. ", ""]))
            ops.append("house label")
        state = faker.state() if rng.random() < 0.3 else ""
        if state:
            ops.append("state added")
        b = _render_line_address(
            rng, b_street, city, pin[:3] + " " + pin[3:] if rng.random() < 0.1 else pin, state=state
        )
        if rng.random() < 0.3:
            b = ocr_noise(rng, b)
            ops.append("ocr")
        yield Pair("address", a, case_noise(rng, b), True, "+".join(ops) or "format", "address/faker")
    for _ in range(n):
        street, city, pin = _faker_line_address(faker, rng)
        a = _render_line_address(rng, street, city, pin)
        choice = rng.randrange(3)
        if choice == 0:
            digits = [c for c in street if c.isdigit()]
            if not digits:
                continue
            i = next(k for k, c in enumerate(street) if c.isdigit())
            other_digit = rng.choice([d for d in "123456789" if d != street[i]])
            other_street = street[:i] + other_digit + street[i + 1 :]
            b = _render_line_address(rng, other_street, city, pin)
            label = "other house number"
        elif choice == 1:
            b = _render_line_address(
                rng, street, city, pin[:-1] + str((int(pin[-1]) + rng.randint(1, 9)) % 10)
            )
            label = "neighbouring PIN"
        else:
            other_street, _, other_pin = _faker_line_address(faker, rng)
            b = _render_line_address(rng, other_street, city, other_pin if rng.random() < 0.5 else pin)
            label = "other address, same city"
        yield Pair("address", a, case_noise(rng, b), False, label, "address/faker")


# --- numbers and identifiers ---------------------------------------------------------------


def _mobile(rng: random.Random) -> str:
    return str(rng.choice("6789")) + "".join(rng.choice(string.digits) for _ in range(9))


def _format_mobile(rng: random.Random, number: str) -> str:
    style = rng.randrange(7)
    return [
        number,
        "+91 " + number,
        "+91-" + number[:5] + "-" + number[5:],
        "0" + number,
        number[:5] + " " + number[5:],
        "(+91) " + number[:3] + " " + number[3:6] + " " + number[6:],
        "91" + number,
    ][style]


def phone_pairs(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        number = _mobile(rng)
        b = _format_mobile(rng, number)
        if rng.random() < 0.15:
            b = b.replace("0", "O", 1)
        yield Pair("phone", _format_mobile(rng, number) if rng.random() < 0.3 else number, b, True, "format")
    for _ in range(n):
        number = _mobile(rng)
        choice = rng.randrange(4)
        digits = list(number)
        if choice == 0:
            i = rng.randrange(1, 10)
            digits[i] = rng.choice([d for d in string.digits if d != digits[i]])
            label = "one digit off"
        elif choice == 1:
            i = rng.randrange(1, 9)
            while digits[i] == digits[i + 1]:
                digits[i + 1] = rng.choice(string.digits)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            label = "two digits swapped"
        elif choice == 2:
            digits = list(number[:5] + "".join(rng.choice(string.digits) for _ in range(5)))
            label = "same first five digits"
        else:
            digits = list(_mobile(rng))
            label = "different number"
        other = "".join(digits)
        if other == number:
            continue
        yield Pair("phone", number, _format_mobile(rng, other), False, label)


def _price(rng: random.Random) -> int:
    base = rng.randint(5, 150) * 1000
    return base + rng.choice([-1, -1, 0, 499, 499, 990, 999, -101, 250])


def _format_amount(rng: random.Random, amount: float) -> object:
    whole = int(amount)
    indian = f"{whole:,}"
    if whole >= 100000:
        s = str(whole)
        head, tail = s[:-3], s[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        indian = ",".join([head] + groups + [tail]) if head else ",".join(groups + [tail])
    style = rng.randrange(8)
    return [
        whole,
        f"Rs. {indian}.00",
        f"₹{indian}",
        f"INR {whole}/-",
        f"{whole}.00",
        indian,
        f"Rs {indian}/-",
        float(whole),
    ][style]


def amount_pairs(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        price = _price(rng)
        b: object = _format_amount(rng, price)
        label = "format"
        if rng.random() < 0.15:
            b = price + rng.choice([0.5, -0.5, 0.25, 1])
            label = "round-off"
        yield Pair("amount", price if rng.random() < 0.6 else _format_amount(rng, price), b, True, label)
    for _ in range(n):
        price = _price(rng)
        choice = rng.randrange(4)
        if choice == 0:
            other = round(price * (1 + rng.choice([-1, 1]) * rng.uniform(0.03, 0.4)))
            label = "other price"
        elif choice == 1:
            s = list(str(price))
            i = rng.randrange(0, min(2, len(s)))
            s[i] = rng.choice([d for d in "123456789" if d != s[i]])
            other = int("".join(s))
            label = "leading digit off"
        elif choice == 2:
            other = round(price * rng.choice([0.7, 0.75, 0.8, 0.85, 0.9]))
            label = "loan amount, not cost"
        else:
            s = list(str(price))
            if len(set(s[:2])) < 2:
                s[0] = str((int(s[0]) + 1) % 9 + 1)
            s[0], s[1] = s[1], s[0]
            other = int("".join(s)) if s[0] != "0" else price * 2
            label = "digits swapped"
        if other == price:
            continue
        yield Pair("amount", price, _format_amount(rng, other), False, label)


def luhn_complete(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body)):
        d = int(char)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


def _imei(rng: random.Random, tac: str | None = None) -> str:
    tac = tac or "35" + "".join(rng.choice(string.digits) for _ in range(6))
    return luhn_complete(tac + "".join(rng.choice(string.digits) for _ in range(6)))


def imei_pairs(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        first = _imei(rng)
        second = luhn_complete(first[:8] + f"{(int(first[8:14]) + 1) % 10**6:06d}")
        device = [first, second] if rng.random() < 0.7 else [first]
        choice = rng.randrange(4)
        if choice == 0:
            b: object = list(reversed(device))
            label = "order"
        elif choice == 1:
            b = [device[0]]
            label = "one of two"
        elif choice == 2:
            b = [
                f"{d[:2]} {d[2:8]} {d[8:14]} {d[14]}" if rng.random() < 0.5 else f"IMEI{i + 1}: {d}"
                for i, d in enumerate(device)
            ]
            label = "written with spaces or labels"
        else:
            b = [d[:14] + "0" + rng.choice("0123456789") if rng.random() < 0.3 else d for d in device]
            b = [d if len(d) == 15 else d for d in b]
            label = "imeisv or same"
        yield Pair("imei", device, b, True, label)
    for _ in range(n):
        first = _imei(rng)
        choice = rng.randrange(3)
        if choice == 0:
            i = rng.randrange(14)
            digits = list(first)
            digits[i] = rng.choice([d for d in string.digits if d != digits[i]])
            other = "".join(digits)
            label = "one digit off"
        elif choice == 1:
            other = _imei(rng, first[:8])
            label = "same model (TAC), other device"
        else:
            other = _imei(rng)
            label = "other device"
        yield Pair("imei", [first], [other], False, label)


_GST_CHARS = string.digits + string.ascii_uppercase


def gstin_checksum(body: str) -> str:
    total = 0
    for i, char in enumerate(body):
        value = _GST_CHARS.index(char) * (2 if i % 2 else 1)
        total += value // 36 + value % 36
    return _GST_CHARS[(36 - total % 36) % 36]


def _pan(rng: random.Random) -> str:
    letters = string.ascii_uppercase
    return (
        "".join(rng.choice(letters) for _ in range(3))
        + rng.choice("PCFH")
        + rng.choice(letters)
        + "".join(rng.choice(string.digits) for _ in range(4))
        + rng.choice(letters)
    )


def _gstin(rng: random.Random, pan: str | None = None, state: int | None = None) -> str:
    body = f"{state or rng.randint(1, 37):02d}{pan or _pan(rng)}{rng.choice('123')}Z"
    return body + gstin_checksum(body)


_LOOKALIKE = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8"}


def identifier_pairs(rng: random.Random, n: int) -> Iterator[Pair]:
    for kind, make in (("gstin", _gstin), ("pan", _pan)):
        for _ in range(n):
            value = make(rng)
            b = value
            label = "format"
            if rng.random() < 0.4:
                spots = [i for i, c in enumerate(b) if c in _LOOKALIKE]
                if spots:
                    i = rng.choice(spots)
                    b = b[:i] + _LOOKALIKE[b[i]] + b[i + 1 :]
                    label = "ocr look-alike"
            if rng.random() < 0.3:
                b = " ".join([b[:2], b[2:7], b[7:]]) if kind == "gstin" else b.lower()
                label += "+spacing"
            yield Pair(kind, value, b, True, label)
        for _ in range(n):
            value = make(rng)
            choice = rng.randrange(3)
            if choice == 0 and kind == "gstin":
                other = _gstin(rng, value[2:12], (int(value[:2]) % 37) + 1)
                label = "same PAN, other state"
            elif choice == 1:
                i = rng.randrange(len(value))
                pool = string.digits if value[i].isdigit() else string.ascii_uppercase
                other = value[:i] + rng.choice([c for c in pool if c != value[i]]) + value[i + 1 :]
                label = "one character off"
            else:
                other = make(rng)
                label = "other"
            yield Pair(kind, value, other, False, label)


# --- models -----------------------------------------------------------------------------------

# (marketing name, model code or "", sibling marketing names that are other products)
_MODELS = [
    (
        "Samsung Galaxy A14 5G",
        "SM-A146B",
        ["Samsung Galaxy A34 5G", "Samsung Galaxy A24", "Samsung Galaxy A15 5G"],
    ),
    (
        "Samsung Galaxy A34 5G",
        "SM-A346E",
        ["Samsung Galaxy A54 5G", "Samsung Galaxy A14 5G", "Samsung Galaxy A35 5G"],
    ),
    ("Samsung Galaxy A05s", "SM-A057F", ["Samsung Galaxy A05", "Samsung Galaxy A15"]),
    ("Samsung Galaxy M14 5G", "SM-M146B", ["Samsung Galaxy M34 5G", "Samsung Galaxy F14 5G"]),
    (
        "Samsung Galaxy S23 Ultra",
        "SM-S918B",
        ["Samsung Galaxy S23", "Samsung Galaxy S24 Ultra", "Samsung Galaxy S23 FE"],
    ),
    ("Samsung Galaxy F54 5G", "SM-E546B", ["Samsung Galaxy M54 5G", "Samsung Galaxy F34 5G"]),
    ("Apple iPhone 13", "A2633", ["Apple iPhone 13 Pro", "Apple iPhone 14", "Apple iPhone 13 mini"]),
    ("Apple iPhone 15", "A3090", ["Apple iPhone 15 Pro", "Apple iPhone 15 Plus", "Apple iPhone 14"]),
    ("Apple iPhone 14 Pro Max", "A2894", ["Apple iPhone 14 Pro", "Apple iPhone 15 Pro Max"]),
    ("Redmi Note 12 5G", "", ["Redmi Note 13 5G", "Redmi Note 12 Pro 5G", "Redmi 12 5G"]),
    ("Redmi 13C", "", ["Redmi 12C", "Redmi 13", "Redmi Note 13"]),
    ("Vivo Y21", "", ["Vivo Y22", "Vivo Y21T", "Vivo Y12"]),
    ("Vivo T2x 5G", "", ["Vivo T2 5G", "Vivo T3x 5G"]),
    ("OPPO A78 5G", "", ["OPPO A58", "OPPO A79 5G", "OPPO Reno 8"]),
    ("Realme Narzo 60 5G", "", ["Realme Narzo 60 Pro 5G", "Realme Narzo 50 5G"]),
    ("Realme C55", "", ["Realme C53", "Realme C35"]),
    ("OnePlus Nord CE 3 Lite 5G", "", ["OnePlus Nord CE 3 5G", "OnePlus Nord 3 5G"]),
    ("Motorola G54 5G", "", ["Motorola G64 5G", "Motorola G84 5G"]),
    ("POCO X5 Pro 5G", "", ["POCO X5 5G", "POCO X6 Pro 5G"]),
    ("iQOO Z7 5G", "", ["iQOO Z7s 5G", "iQOO Z6 5G"]),
]
_MEMORY = [(4, 64), (4, 128), (6, 128), (8, 128), (8, 256), (12, 256), (3, 32)]
_COLOURS = [
    "Black",
    "Awesome Graphite",
    "Mint",
    "Lavender",
    "Blue",
    "Midnight",
    "Starlight",
    "Ocean Blue",
    "Silver",
]


def _memory_text(rng: random.Random, ram: int, storage: int) -> str:
    return rng.choice([f"{ram}GB/{storage}GB", f"{ram} GB RAM {storage} GB", f"({ram}+{storage})", f"{ram}GB RAM, {storage}GB ROM",
                       f"{ram}/{storage} GB", f"{storage}GB"])  # fmt: skip


def model_pairs(rng: random.Random, n: int) -> Iterator[Pair]:
    for _ in range(n):
        name, code, _ = rng.choice(_MODELS)
        ram, storage = rng.choice(_MEMORY)
        colour = rng.choice(_COLOURS)
        a = name
        if rng.random() < 0.5:
            a += " " + _memory_text(rng, ram, storage)
        ops = []
        words = name.split()
        b_words = list(words)
        if rng.random() < 0.4:
            b_words = b_words[1:]
            ops.append("no brand")
        if rng.random() < 0.2 and "5G" in b_words:
            b_words.remove("5G")
            ops.append("no 5G")
        b = " ".join(b_words)
        if code and rng.random() < 0.5:
            b = rng.choice([f"{code} {b}", code, f"{b} ({code})", f"{code}/DS"])
            ops.append("model code")
        if rng.random() < 0.5:
            b += " " + _memory_text(rng, ram, storage)
            ops.append("memory")
        if rng.random() < 0.4:
            b += rng.choice([f" {colour}", f" ({colour})", f", {colour}"])
            ops.append("colour")
        if rng.random() < 0.2:
            b += rng.choice([" Mobile Phone", " Smartphone", " Dual SIM"])
            ops.append("description")
        if rng.random() < 0.15:
            b = ocr_noise(rng, b)
            ops.append("ocr")
        yield Pair("model", a, case_noise(rng, b), True, "+".join(ops) or "case")
    for _ in range(n):
        name, code, siblings = rng.choice(_MODELS)
        ram, storage = rng.choice(_MEMORY)
        if rng.random() < 0.75:
            other = rng.choice(siblings)
            a, b = name, other
            if rng.random() < 0.4:
                memory = _memory_text(rng, ram, storage)
                a, b = f"{a} {memory}", f"{b} {memory}"
            label = "sibling model"
        else:
            other_ram, other_storage = rng.choice([m for m in _MEMORY if m[1] != storage])
            a = f"{name} {ram}GB/{storage}GB"
            b = f"{name} {_memory_text(rng, other_ram, other_storage)}"
            label = "other storage variant"
        if rng.random() < 0.3:
            b = " ".join(b.split()[1:])
        yield Pair("model", a, case_noise(rng, b), False, label)


def generate_pairs(seed: int, per_kind: int = 300) -> list[Pair]:
    """Labelled pairs for every kind: `per_kind` same-entity and as many different ones."""
    faker = Faker("en_IN")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    pairs: list[Pair] = []
    pairs += name_pairs(faker, rng, per_kind)
    pairs += business_pairs(faker, rng, per_kind)
    pairs += address_pairs(faker, rng, per_kind)
    pairs += faker_address_pairs(faker, rng, per_kind // 2)
    pairs += phone_pairs(rng, per_kind)
    pairs += amount_pairs(rng, per_kind)
    pairs += imei_pairs(rng, per_kind)
    pairs += identifier_pairs(rng, per_kind)
    pairs += model_pairs(rng, per_kind)
    return pairs
