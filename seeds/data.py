"""Fictitious names, places and CPR numbers shared by the demo seed and the bench generator.

Every person, street and school here is invented. The municipality "Egebjerg Kommune"
does not exist; its e-mail domain uses the reserved ``.example`` top-level domain.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from app.domain.cpr import century_year

MUNICIPALITY = "Egebjerg Kommune"
EMAIL_DOMAIN = "egebjerg.example"

GIRLS_FIRST_NAMES = (
    "Emma", "Ida", "Clara", "Freja", "Alma", "Sofia", "Laura", "Anna", "Ella", "Karla",
    "Josefine", "Mathilde", "Agnes", "Olivia", "Nora", "Lærke", "Maja", "Frida", "Sofie",
    "Caroline", "Asta", "Liva", "Signe", "Amalie", "Zainab", "Amina", "Sara", "Hiba",
)
BOYS_FIRST_NAMES = (
    "Noah", "William", "Oscar", "Lucas", "Victor", "Malthe", "Emil", "Alfred", "Frederik",
    "Magnus", "Carl", "Oliver", "Elias", "Aksel", "Mikkel", "Sebastian", "Jonas", "Anton",
    "Villads", "Storm", "Mads", "Rasmus", "Søren", "Mohammad", "Ali", "Yusuf", "Adam", "Jakub",
)
DANISH_LAST_NAMES = (
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
    "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen",
    "Frederiksen", "Holm", "Lund", "Schmidt", "Bech", "Dahl", "Skov", "Kjær", "Vestergaard",
)
OTHER_LAST_NAMES = ("Khan", "Hussein", "Nguyen", "Kowalski", "Yilmaz", "Ahmadi")
LAST_NAMES = DANISH_LAST_NAMES + OTHER_LAST_NAMES
STREETS = (
    "Egevej", "Møllebakken", "Skolegade", "Ravnsholtvej", "Kildemosevej", "Birkealle",
    "Præstevænget", "Lærkevej", "Engtoften", "Hybenhaven", "Bøgelundsvej", "Stationsvej",
    "Kirkestræde", "Tjørnevang", "Mosegården", "Havrevænget", "Fasanvej", "Smedegade",
)
# (postal code, town): invented towns inside the invented municipality.
TOWNS = (
    ("4730", "Egebjerg"),
    ("4731", "Egebjerg Strand"),
    ("4733", "Bøgelund"),
    ("4734", "Ravnsholt"),
    ("4736", "Kildemose"),
)
SCHOOLS_YOUNGER = (
    "Egebjerg Specialskole",
    "Kildemose Skole, specialklassen",
    "Bøgelund Efterskole",
)
SCHOOLS_MIDDLE = (
    "10. klasse-center Egebjerg",
    "Egebjerg Specialskole",
    "Egebjerg Produktionsskole",
)
SCHOOLS_OLDER = (
    "STU Egebjerg",
    "Egebjerg Produktionsskole",
    "STU Ravnsholt Gård",
)


@cache
def seventh_digits(year: int) -> tuple[int, ...]:
    """The 7th CPR digits that give `year` (DOMAIN.md century table), 4 first when valid."""
    valid = [d for d in range(10) if century_year(year % 100, d) == year]
    if not valid:
        raise ValueError(f"no CPR century digit encodes the year {year}")
    return tuple(sorted(valid, key=lambda d: (d != 4, d)))


def serials_per_date(year: int) -> int:
    """How many distinct CPR numbers `fictitious_cpr` can make for one birth date."""
    return 1000 * len(seventh_digits(year))


def fictitious_cpr(birth_date: date, serial: int) -> str:
    """10 CPR digits whose date and century digit encode `birth_date`.

    `serial` (0 <= serial < serials_per_date(year)) picks the last four digits, so
    distinct serials on one date give distinct numbers. Modulus 11 is ignored, as it is
    for every number issued since 2007.
    """
    digits = seventh_digits(birth_date.year)
    block, rest = divmod(serial, 1000)
    if serial < 0 or block >= len(digits):
        raise ValueError("serial out of range for this birth date")
    return f"{birth_date:%d%m%y}{digits[block]}{rest:03d}"


def address(street: str, number: int, floor: str = "") -> str:
    return f"{street} {number}{', ' + floor if floor else ''}"
