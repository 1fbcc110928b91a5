"""Fictional people, places, dealers and lenders for synthetic documents.

Names come from Faker('en_IN'); cities, states and PIN prefixes are real geography (not
personal data) so that addresses, PIN codes and GSTIN state codes agree with each other.
Lenders and dealers are invented names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from faker import Faker

from atlasflow.synth import numbers


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str
    state_code: str  # GST state code
    pin_prefix: str


CITIES: tuple[City, ...] = (
    City("Nellore", "Andhra Pradesh", "37", "524"),
    City("Vijayawada", "Andhra Pradesh", "37", "520"),
    City("Visakhapatnam", "Andhra Pradesh", "37", "530"),
    City("Hyderabad", "Telangana", "36", "500"),
    City("Warangal", "Telangana", "36", "506"),
    City("Pune", "Maharashtra", "27", "411"),
    City("Mumbai", "Maharashtra", "27", "400"),
    City("Nagpur", "Maharashtra", "27", "440"),
    City("Nashik", "Maharashtra", "27", "422"),
    City("Bengaluru", "Karnataka", "29", "560"),
    City("Mysuru", "Karnataka", "29", "570"),
    City("Chennai", "Tamil Nadu", "33", "600"),
    City("Coimbatore", "Tamil Nadu", "33", "641"),
    City("Madurai", "Tamil Nadu", "33", "625"),
    City("Kochi", "Kerala", "32", "682"),
    City("Kolkata", "West Bengal", "19", "700"),
    City("Lucknow", "Uttar Pradesh", "09", "226"),
    City("Kanpur", "Uttar Pradesh", "09", "208"),
    City("Jaipur", "Rajasthan", "08", "302"),
    City("Ahmedabad", "Gujarat", "24", "380"),
    City("Surat", "Gujarat", "24", "395"),
    City("Indore", "Madhya Pradesh", "23", "452"),
    City("Bhopal", "Madhya Pradesh", "23", "462"),
    City("Patna", "Bihar", "10", "800"),
    City("Bhubaneswar", "Odisha", "21", "751"),
    City("Guwahati", "Assam", "18", "781"),
    City("Ludhiana", "Punjab", "03", "141"),
    City("Raipur", "Chhattisgarh", "22", "492"),
    City("Ranchi", "Jharkhand", "20", "834"),
    City("Dehradun", "Uttarakhand", "05", "248"),
    City("New Delhi", "Delhi", "07", "110"),
    City("Chandigarh", "Chandigarh", "04", "160"),
)

_LOCALITIES = (
    "Gandhi Nagar", "Anam Vari Street", "Kapu Street", "MG Road", "Station Road", "Main Bazar",
    "Nehru Colony", "Shivaji Nagar", "Rajendra Nagar", "Kothapet", "Ashok Vihar", "Subhash Chowk",
    "Indira Nagar", "Saraswati Colony", "Ram Nagar", "Tilak Road", "Vidya Nagar", "Laxmi Nagar",
    "Patel Nagar", "Old Town", "Sector 12", "Kamala Nagar", "Venkateswara Colony", "Teachers Colony",
    "Bank Colony", "Srinivasa Puram", "Azad Nagar", "Hanuman Nagar", "Ambedkar Nagar", "Civil Lines",
)  # fmt: skip
_LANDMARKS = (
    "Near Hanuman Temple", "Opp. Bus Stand", "Behind Govt. School", "Near Water Tank", "Opp. Post Office",
    "Near Railway Station", "Beside Ration Shop", "Near Clock Tower", "Behind Vegetable Market",
    "Opp. Municipal Office", "Near Sai Baba Temple", "Beside Petrol Bunk",
)  # fmt: skip
_BUILDINGS = (
    "Sai Residency", "Lakshmi Towers", "Sri Krishna Apartments", "Green Park Enclave", "Shanti Heights",
    "Balaji Complex", "Abbai Reddy Complex", "Royal Arcade", "Ganga Apartments", "Vasavi Nilayam",
)  # fmt: skip
_STREET_WORDS = ("Street", "Road", "Cross Road", "Main Road", "Lane", "Marg")


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as printable components (printed comma-separated, wrapped at components)."""

    components: tuple[str, ...]  # house, street, locality..., excluding city/state/PIN
    city: City
    pincode: str

    def lines(self, *, with_state: bool = True, pin_style: str = " - ") -> list[str]:
        tail = self.city.name
        if with_state:
            tail += f", {self.city.state}"
        tail += f"{pin_style}{self.pincode}"
        return [*self.components, tail]


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    middle: str
    last: str
    gender: str  # "MALE" | "FEMALE"
    dob: date
    father_first: str
    father_last: str
    mobile: str
    address: Address
    pan: str
    aadhaar: str
    relation: str  # "S/O", "D/O" or "W/O": how the card's address block names the guardian

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)

    @property
    def short_name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def father_name(self) -> str:
        return f"{self.father_first} {self.last}"


@dataclass(frozen=True, slots=True)
class Dealer:
    name: str
    address: Address
    gstin: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class Lender:
    name: str
    short: str
    tagline: str
    colour: tuple[int, int, int]
    cin: str
    address: str


# Invented lenders (no real company names). Colours feed the letterheads.
LENDERS: tuple[Lender, ...] = (
    Lender(
        "Sahyadri Finance Ltd",
        "SFL",
        "Easy EMIs for every home",
        (0, 84, 147),
        "U65910MH2009PLC187301",
        "Plot 7, Baner Road, Pune - 411045",
    ),
    Lender(
        "Nilgiri Consumer Finance Ltd",
        "NCF",
        "Consumer Durable Loans",
        (0, 122, 94),
        "U65929TN2011PLC080552",
        "14, Greams Lane, Chennai - 600006",
    ),
    Lender(
        "Tapti Durables Credit Ltd",
        "TDC",
        "Zero Cost EMI Partner",
        (168, 30, 52),
        "U65999GJ2014PLC079112",
        "3rd Floor, Ring Road, Surat - 395002",
    ),
    Lender(
        "Vindhyachal Fincap Ltd",
        "VFL",
        "Finance made simple",
        (96, 52, 150),
        "U67190MP2016PLC040877",
        "22, MP Nagar Zone II, Bhopal - 462011",
    ),
    Lender(
        "Chambal Retail Loans Ltd",
        "CRL",
        "Retail Finance Division",
        (204, 102, 0),
        "U65100RJ2012PLC039541",
        "C-Scheme, Jaipur - 302001",
    ),
    Lender(
        "Kosi Easy Credit Pvt Ltd",
        "KEC",
        "Own it today",
        (20, 110, 160),
        "U65923BR2018PTC037720",
        "Fraser Road, Patna - 800001",
    ),
)

_SHOP_FIRST = (
    "Sri Lakshmi",
    "New Balaji",
    "Shree Ganesh",
    "Royal",
    "A-One",
    "Sai Krishna",
    "Jai Bharat",
    "Om Sai",
    "Vijaya",
    "Star",
    "City",
    "Metro",
    "Sree Venkateswara",
    "Ganapati",
    "Laxmi Narayan",
    "Deccan",
    "Kaveri",
    "Apna",
)
_SHOP_SECOND = (
    "Mobiles",
    "Electronics",
    "Mobile Zone",
    "Digital World",
    "Cell Point",
    "Home Appliances",
    "Electronics & Furniture",
    "Telecom",
    "Mobile Gallery",
    "Digital Store",
    "Enterprises",
    "Agencies",
)
_SHOP_SUFFIX = ("", "", "", " Pvt Ltd", " & Co.", " LLP")


@cache
def _faker() -> Faker:
    # One instance, re-seeded per draw: building Faker costs ~0.1 s.
    return Faker("en_IN")


def _faker_for(rng: random.Random) -> Faker:
    fake = _faker()
    fake.seed_instance(rng.getrandbits(48))
    return fake


def house_number(rng: random.Random) -> str:
    """House numbers in the forms Indian addresses use."""
    n1, n2, n3 = rng.randint(1, 30), rng.randint(1, 12), rng.randint(1, 250)
    style = rng.randrange(8)
    if style == 0:
        return f"D. No. {n1}-{n2}-{n3}"
    if style == 1:
        return f"H.No {n2}-{n1}-{n3}/{rng.choice('ABC')}"
    if style == 2:
        return f"Flat {rng.randint(1, 9)}0{rng.randint(1, 9)}, {rng.choice(_BUILDINGS)}"
    if style == 3:
        return f"#{n3}, {rng.randint(1, 12)}th Cross"
    if style == 4:
        return f"Plot No. {n3}"
    if style == 5:
        return f"{n3}/{n1}"
    if style == 6:
        return f"Door No {n1}/{n3}"
    return f"House No. {n3}"


def make_address(rng: random.Random, city: City | None = None) -> Address:
    city = city or rng.choice(CITIES)
    fake = _faker_for(rng)
    components = [house_number(rng)]
    if rng.random() < 0.6:
        street = fake.last_name() + " " + rng.choice(_STREET_WORDS)
        components.append(street)
    components.append(rng.choice(_LOCALITIES))
    if rng.random() < 0.4:
        components.append(rng.choice(_LANDMARKS))
    return Address(tuple(components), city, numbers.fake_pincode(rng, city.pin_prefix))


def _clean_name(part: str) -> str:
    # Faker's en_IN data has a few titles and dotted initials; documents carry plain names.
    return part.replace(".", "").strip()


def make_person(rng: random.Random, *, city: City | None = None, today: date | None = None) -> Person:
    fake = _faker_for(rng)
    gender = rng.choice(("MALE", "FEMALE"))
    first = _clean_name(fake.first_name_male() if gender == "MALE" else fake.first_name_female())
    last = _clean_name(fake.last_name())
    middle = _clean_name(fake.first_name_male()) if rng.random() < 0.15 else ""
    father_first = _clean_name(fake.first_name_male())
    today = today or date(2025, 10, 1)
    dob = today - timedelta(days=rng.randint(19 * 365, 62 * 365))
    return Person(
        first=first,
        middle=middle,
        last=last,
        gender=gender,
        dob=dob,
        father_first=father_first,
        father_last=last,
        mobile=numbers.fake_mobile(rng),
        address=make_address(rng, city),
        pan=numbers.fake_pan(rng, "P", initial=last[:1]),
        aadhaar=numbers.fake_aadhaar(rng),
        relation="S/O" if gender == "MALE" else rng.choice(("D/O", "W/O")),
    )


def make_dealer(rng: random.Random, city: City | None = None) -> Dealer:
    city = city or rng.choice(CITIES)
    second = rng.choice(_SHOP_SECOND)
    suffix = rng.choice(_SHOP_SUFFIX)
    name = f"{rng.choice(_SHOP_FIRST)} {second}{'' if '&' in second and '&' in suffix else suffix}"
    components = [f"Shop No. {rng.randint(1, 48)}" if rng.random() < 0.6 else house_number(rng)]
    if rng.random() < 0.5:
        components.append(rng.choice(_BUILDINGS))
    components.append(rng.choice(_LOCALITIES))
    address = Address(tuple(components), city, numbers.fake_pincode(rng, city.pin_prefix))
    slug = "".join(ch for ch in name.lower() if ch.isalpha())[:14]
    return Dealer(
        name=name,
        address=address,
        gstin=numbers.fake_gstin(rng, city.state_code),
        phone=numbers.fake_mobile(rng),
        email=f"{slug}{rng.randint(1, 99)}@example.in",
    )


def pick_lender(rng: random.Random) -> Lender:
    return rng.choice(LENDERS)
