"""The synthetic population: every authority's demo and test data comes from here.

:func:`generate` builds a deterministic world of households from ``(citizens,
seed)``: married couples with children and custody, divorced parents living apart,
widows and widowers, students, pensioners, the emigrated and the dead, renters and
home owners (couples own 1/2 each). It knows no database; each authority's
``seed.rows`` turns households into rows.

Everything follows the rules of the civil register (see DOMAIN.md): CPR numbers in
the substitute form (day + 60, so that no number can belong to a real person), with
the century digit and the sex parity right, and modulus 11 for everyone born before
October 2007; postcodes, cities and municipalities taken together from a table of
real triples. The named personas come first, with fixed ids that do not depend on
``citizens`` or ``seed``.
"""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from subgraphs.cpr_numbers import CprIssuer
from subgraphs.gazetteer import (
    DOORS,
    EMPLOYERS,
    FEMALE_NAMES,
    HEATING,
    LAST_NAMES,
    MALE_NAMES,
    MIDDLE_NAMES,
    MUNICIPALITIES,
    POSTCODES,
    PRICE_PER_M2,
    STREETS,
    URBAN,
    Municipality,
)

__all__ = [
    "PERSONAS",
    "TODAY",
    "Address",
    "Citizen",
    "Employment",
    "Home",
    "Household",
    "Municipality",
    "Ownership",
    "Persona",
    "UnknownPersona",
    "citizens_of",
    "generate",
    "persona",
]

TODAY = date(2026, 12, 4)
"""The reference date the population is generated for."""

SU_GRANT = 7_426
"""The monthly SU grant of a student living away from home (2026)."""

OLD_AGE_PENSION_SINGLE = 15_148
"""Basic amount plus supplement of the old-age pension for a single person."""

OLD_AGE_PENSION_COUPLE = 11_166
"""The old-age pension of each of a pensioner couple."""

UNEMPLOYMENT_BENEFIT = 20_359
"""The highest monthly unemployment benefit (2026)."""


# --- the data model -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    """An address of the Danish address register."""

    address_id: str
    street: str
    house_number: str
    floor: str | None
    door: str | None
    postcode: str
    city: str
    municipality: Municipality


@dataclass(frozen=True, slots=True)
class Employment:
    """Salaried work as the employer reports it to the income register."""

    employer_cvr: str
    employer_name: str
    monthly_gross: int
    employee_pension_rate: float
    employer_pension_rate: float
    hours_per_month: int
    started: date


@dataclass(frozen=True, slots=True)
class Citizen:
    """One person of the civil register, with what the other authorities need."""

    person_id: str
    cpr: str
    first_names: str
    middle_name: str | None
    last_name: str
    sex: str
    birth_date: date
    status: str
    status_date: date | None
    address: Address | None
    civil_status: str
    civil_status_date: date | None
    spouse_id: str | None
    parent_ids: tuple[str, ...]
    custody_holder_ids: tuple[str, ...]
    protections: tuple[str, ...]
    employment: Employment | None
    other_monthly_income: int
    other_income_type: str | None
    church_member: bool

    def age_on(self, day: date) -> int:
        """Whole years of age on ``day``."""
        return _age(self.birth_date, day)


@dataclass(frozen=True, slots=True)
class Ownership:
    """A share of a home owned by one person since a date."""

    person_id: str
    numerator: int
    denominator: int
    since: date


@dataclass(frozen=True, slots=True)
class Home:
    """An owner-occupied property: cadastre, building, owners and valuation."""

    bfe: int
    address: Address
    use_code: int
    construction_year: int
    floor_area: int
    land_area: int
    cadastral_district: str
    parcel_number: str
    heating: str
    owners: tuple[Ownership, ...]
    property_value: int
    land_value: int
    valuation_year: int
    preliminary: bool


@dataclass(frozen=True, slots=True)
class Household:
    """People generated together, and the homes they own."""

    members: tuple[Citizen, ...]
    homes: tuple[Home, ...] = ()


@dataclass(frozen=True, slots=True)
class Persona:
    """A named person of the population that tests and demos sign in as."""

    name: str
    person_id: str
    description: str


class UnknownPersona(LookupError):
    """A persona name that :data:`PERSONAS` does not hold."""

    code = "UNKNOWN_PERSONA"

    def __init__(self, name: str) -> None:
        self.name = name
        known = ", ".join(p.name for p in PERSONAS)
        super().__init__(f"There is no persona {name!r}; choose one of {known}.")


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "parent",
        "8ba18525-6f8a-4435-b7b4-9fd56be71f83",
        "married parent of a child under 15 and one of 15+, owns half of the family "
        "home, salary 42,000 kr a month, tax assessments",
    ),
    Persona(
        "spouse",
        "622a8ffc-750a-4f6f-b02a-6478530e419e",
        "the parent's spouse: owns the other half of the home, salaried",
    ),
    Persona(
        "teen",
        "4ab1eccf-93cc-4169-940d-5a18fcb9969c",
        "the parents' child aged 16: own sign-in, parents no longer see health data",
    ),
    Persona(
        "young-child",
        "4f8a7878-9b01-4c28-be4b-70bb6288bb29",
        "the parents' child aged 8: both parents hold custody and see health data",
    ),
    Persona(
        "pensioner",
        "8350e213-2b91-4c02-a7c7-1357abb8489b",
        "widow aged 78 on the old-age pension, sole owner of a detached house",
    ),
    Persona(
        "student",
        "553f2d33-f5c6-44dd-be60-7843cf67428d",
        "student aged 23 renting a flat, part-time pay and the SU grant",
    ),
    Persona(
        "protected",
        "ce33996e-2fc1-4711-9939-fc829c67cd2e",
        "name and address protection: only she sees her address",
    ),
    Persona(
        "non-custodial-parent",
        "d74aea83-265b-4bdf-b63f-4514efb505ab",
        "divorced father of a child aged 11 who lives with the mother, who alone "
        "holds custody",
    ),
    Persona(
        "no-mod11",
        "ddae7a41-de4f-4146-908d-18c8bd16b6b7",
        "born 2008, CPR number fails modulus 11 and must still be accepted",
    ),
    Persona(
        "emigrated",
        "a8da68b6-45e0-4252-8c1c-c301389e558d",
        "emigrated in 2022 (status 80): no Danish address",
    ),
    Persona(
        "deceased",
        "b76368db-460a-4f48-88b7-7a8ee0c679b0",
        "the pensioner's late husband (status 90, died 2021): no address",
    ),
)
"""The named personas; their ids are fixed and independent of ``citizens``/``seed``."""

_EX_ID = "af2db0e6-66e5-4b79-80e7-384fc8c3fa38"
_NON_CUSTODIAL_CHILD_ID = "a41c68c0-78c3-49be-a402-a521625d54a7"


def persona(name: str) -> Persona:
    """The persona called ``name``; raises :class:`UnknownPersona` otherwise."""
    for candidate in PERSONAS:
        if candidate.name == name:
            return candidate
    raise UnknownPersona(name)


# --- building blocks ------------------------------------------------------------------


def _age(birth: date, day: date) -> int:
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def _uuid(rng: random.Random) -> str:
    """A random (version 4) UUID drawn from ``rng``, formatted without ``uuid``."""
    bits = rng.getrandbits(128) & _UUID_MASK | _UUID_MARKS
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_MARKS = (4 << 76) | (0x8000 << 48)


def _birth_date(rng: random.Random, youngest: int, oldest: int) -> date:
    """A birth date of someone aged ``youngest`` to ``oldest`` on :data:`TODAY`."""
    latest = TODAY.toordinal() - youngest * 365 - 1
    earliest = TODAY.toordinal() - (oldest + 1) * 365 + 1
    return date.fromordinal(rng.randint(earliest, latest))


def _between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass
class _World:
    """The state shared by all households of one population."""

    seed: int
    cprs: CprIssuer = field(default_factory=CprIssuer)
    next_bfe: int = 2_100_000

    def bfe(self) -> int:
        self.next_bfe += 1
        return self.next_bfe


@dataclass
class _Person:
    """A citizen in the making; :meth:`freeze` turns it into a :class:`Citizen`."""

    person_id: str
    sex: str
    birth_date: date
    first_names: str
    last_name: str
    middle_name: str | None = None
    cpr: str = ""
    status: str = "01"
    status_date: date | None = None
    address: Address | None = None
    civil_status: str = "U"
    civil_status_date: date | None = None
    spouse_id: str | None = None
    parent_ids: tuple[str, ...] = ()
    custody_holder_ids: tuple[str, ...] = ()
    protections: tuple[str, ...] = ()
    employment: Employment | None = None
    other_monthly_income: int = 0
    other_income_type: str | None = None
    church_member: bool = True

    def freeze(self, world: _World, mod11: bool | None = None) -> Citizen:
        cpr = self.cpr or world.cprs.issue(self.birth_date, self.sex, mod11)
        return Citizen(
            person_id=self.person_id,
            cpr=cpr,
            first_names=self.first_names,
            middle_name=self.middle_name,
            last_name=self.last_name,
            sex=self.sex,
            birth_date=self.birth_date,
            status=self.status,
            status_date=self.status_date,
            address=self.address,
            civil_status=self.civil_status,
            civil_status_date=self.civil_status_date,
            spouse_id=self.spouse_id,
            parent_ids=self.parent_ids,
            custody_holder_ids=self.custody_holder_ids,
            protections=self.protections,
            employment=self.employment,
            other_monthly_income=self.other_monthly_income,
            other_income_type=self.other_income_type,
            church_member=self.church_member,
        )


def _person(
    rng: random.Random, sex: str, birth: date, last_name: str | None = None
) -> _Person:
    names = MALE_NAMES if sex == "M" else FEMALE_NAMES
    first = rng.choice(names)
    if rng.random() < 0.35:
        first = f"{first} {rng.choice(names)}"
    middle = rng.choice(MIDDLE_NAMES) if rng.random() < 0.3 else None
    protections: tuple[str, ...] = ()
    roll = rng.random()
    if roll < 0.004:
        protections = ("name_address",)
    elif roll < 0.12:
        protections = ("marketing",)
    return _Person(
        person_id=_uuid(rng),
        sex=sex,
        birth_date=birth,
        first_names=first,
        middle_name=middle,
        last_name=last_name or rng.choice(LAST_NAMES),
        protections=protections,
        church_member=rng.random() < 0.72,
    )


def _address(
    rng: random.Random, flat: bool, postcode: tuple[str, str, str] | None = None
) -> Address:
    code, city, municipality = postcode or rng.choice(POSTCODES)
    number = str(rng.randint(1, 180 if flat else 120))
    if rng.random() < 0.08:
        number += rng.choice("ABC")
    floor = door = None
    if flat:
        floor = rng.choice(("st", "1", "1", "2", "2", "3", "4", "5"))
        door = rng.choice(DOORS)
    return Address(
        address_id=_uuid(rng),
        street=rng.choice(STREETS),
        house_number=number,
        floor=floor,
        door=door,
        postcode=code,
        city=city,
        municipality=MUNICIPALITIES[municipality],
    )


def _employment(
    rng: random.Random, person: _Person, gross: int | None = None, hours: int = 160
) -> Employment:
    age = _age(person.birth_date, TODAY)
    employer = rng.choice(EMPLOYERS)
    if gross is None:
        drawn = round(rng.gauss(28_000 + min(age, 50) * 400, 6_000), -2)
        gross = max(22_000, min(int(drawn), 95_000))
    earliest = _years_after(person.birth_date, 18)
    return Employment(
        employer_cvr=employer.cvr,
        employer_name=employer.name,
        monthly_gross=gross,
        employee_pension_rate=0.04,
        employer_pension_rate=0.08,
        hours_per_month=hours,
        started=_between(rng, earliest, TODAY - timedelta(days=400)),
    )


def _working_age_income(rng: random.Random, person: _Person) -> None:
    """Salaried work for most adults under 67, a benefit for some, a pension after."""
    age = _age(person.birth_date, TODAY)
    if age >= 67:
        person.other_monthly_income = OLD_AGE_PENSION_SINGLE
        person.other_income_type = "old_age_pension"
    elif rng.random() < 0.88:
        person.employment = _employment(rng, person)
    else:
        person.other_monthly_income = UNEMPLOYMENT_BENEFIT
        person.other_income_type = "unemployment_benefit"


def _home(
    rng: random.Random,
    world: _World,
    address: Address,
    owners: Sequence[_Person],
    since: date,
) -> Home:
    flat = address.floor is not None
    use_code = 140 if flat else rng.choice((120, 120, 130))
    floor_area = rng.randint(55, 110) if flat else rng.randint(90, 220)
    land_area = 0 if flat else rng.randint(250, 1_200)
    price = PRICE_PER_M2.get(address.municipality.code, 0) or rng.randint(
        14_000, 30_000
    )
    value = round(floor_area * price * rng.uniform(0.85, 1.15), -4)
    land_value = round(value * (0.15 if flat else rng.uniform(0.2, 0.4)), -4)
    share = len(owners)
    return Home(
        bfe=world.bfe(),
        address=address,
        use_code=use_code,
        construction_year=rng.randint(1890, 2022),
        floor_area=floor_area,
        land_area=land_area,
        cadastral_district=f"{address.municipality.name} Bygrunde",
        parcel_number=f"{rng.randint(1, 999)}{rng.choice('abcdefgh')}",
        heating=rng.choice(HEATING),
        owners=tuple(Ownership(o.person_id, 1, share, since) for o in owners),
        property_value=int(value),
        land_value=int(land_value),
        valuation_year=2025,
        preliminary=rng.random() < 0.7,
    )


# --- families -------------------------------------------------------------------------


def _marry(a: _Person, b: _Person, since: date, status: str = "G") -> None:
    a.civil_status = b.civil_status = status
    a.civil_status_date = b.civil_status_date = since
    a.spouse_id, b.spouse_id = b.person_id, a.person_id


def _child(
    rng: random.Random,
    parents: Sequence[_Person],
    custody: Sequence[_Person],
    earliest: date,
    latest: date = TODAY - timedelta(days=30),
) -> _Person:
    """A child born between ``earliest`` and ``latest``, to a mother of 20 to 45."""
    mother = next((p for p in parents if p.sex == "F"), parents[0])
    first = max(earliest, _years_after(mother.birth_date, 20))
    last = min(latest, _years_after(mother.birth_date, 45))
    birth = _between(rng, first, max(first, last))
    child = _person(rng, rng.choice("MF"), birth, parents[0].last_name)
    child.parent_ids = tuple(p.person_id for p in parents)
    if _age(birth, TODAY) < 18:
        child.custody_holder_ids = tuple(p.person_id for p in custody)[:2]
        if "name_address" in parents[0].protections:
            child.protections = ("name_address",)
    else:
        _working_age_income(rng, child)
    return child


def _couple(rng: random.Random, youngest: int, oldest: int) -> tuple[_Person, _Person]:
    a = _person(rng, "F", _birth_date(rng, youngest, oldest))
    b_sex = "F" if rng.random() < 0.03 else "M"
    delta = timedelta(days=rng.randint(-1_500, 2_500))
    b_birth = a.birth_date + delta
    if b_birth > _years_after(TODAY, -youngest):
        b_birth = a.birth_date - abs(delta)
    b = _person(rng, b_sex, b_birth, a.last_name)
    return a, b


def _family(rng: random.Random, world: _World) -> list[Household]:
    """A married (or cohabiting) couple with 0 to 4 children, owning or renting."""
    a, b = _couple(rng, 24, 62)
    married = rng.random() < 0.8
    met = _years_after(max(a.birth_date, b.birth_date), rng.randint(20, 30))
    met = min(met, TODAY - timedelta(days=200))
    if married:
        _marry(a, b, met)
    for adult in (a, b):
        _working_age_income(rng, adult)
    kids = [
        _child(rng, (a, b), (a, b), met)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 4)))
    ]
    kids = [k for k in kids if _age(k.birth_date, TODAY) <= 25]  # the rest moved out
    owns = rng.random() < 0.6
    address = _address(rng, flat=not owns or rng.random() < 0.2)
    members = [a, b, *kids]
    for member in members:
        member.address = address
    homes = (_home(rng, world, address, (a, b), met),) if owns else ()
    return [Household(tuple(m.freeze(world) for m in members), homes)]


def _divorced(rng: random.Random, world: _World) -> list[Household]:
    """Divorced parents in two households; the children live with one of them."""
    a, b = _couple(rng, 28, 60)
    married = _years_after(max(a.birth_date, b.birth_date), rng.randint(22, 28))
    divorced = _between(rng, married + timedelta(days=800), TODAY - timedelta(days=60))
    for adult in (a, b):
        adult.civil_status, adult.civil_status_date = "F", divorced
        _working_age_income(rng, adult)
    custody = (a, b) if rng.random() < 0.7 else (a,)
    kids = [
        _child(rng, (a, b), custody, married, divorced)
        for _ in range(rng.choice((1, 1, 2, 3)))
    ]
    home_a, home_b = _address(rng, flat=True), _address(rng, flat=True)
    for member in (a, *kids):
        member.address = home_a
    b.address = home_b
    return [
        Household(tuple(m.freeze(world) for m in (a, *kids))),
        Household((b.freeze(world),)),
    ]


def _single(rng: random.Random, world: _World) -> list[Household]:
    """An unmarried adult renting a flat."""
    adult = _person(rng, rng.choice("MF"), _birth_date(rng, 20, 75))
    _working_age_income(rng, adult)
    adult.address = _address(rng, flat=True)
    return [Household((adult.freeze(world),))]


def _student(rng: random.Random, world: _World) -> list[Household]:
    """A student renting a flat, on the SU grant and often with part-time pay."""
    student = _person(rng, rng.choice("MF"), _birth_date(rng, 19, 28))
    postcode = rng.choice([p for p in POSTCODES if p[2] in URBAN])
    student.address = _address(rng, flat=True, postcode=postcode)
    student.other_monthly_income, student.other_income_type = SU_GRANT, "su_grant"
    if rng.random() < 0.6:
        pay = rng.randrange(4_000, 12_000, 100)
        student.employment = _employment(rng, student, pay, hours=pay // 140)
    return [Household((student.freeze(world),))]


def _pensioners(rng: random.Random, world: _World) -> list[Household]:
    """A pensioner couple, or a widow(er) whose late spouse is in the register."""
    a, b = _couple(rng, 67, 92)
    married = _years_after(max(a.birth_date, b.birth_date), rng.randint(21, 30))
    address = _address(rng, flat=rng.random() < 0.35)
    owners: tuple[_Person, ...] = (a, b)
    if rng.random() < 0.45:
        died = _between(rng, date(2012, 1, 1), TODAY - timedelta(days=90))
        survivor, late = (a, b) if rng.random() < 0.65 else (b, a)
        survivor.civil_status, survivor.civil_status_date = "E", died
        late.status, late.status_date = "90", died
        late.civil_status, late.civil_status_date = "D", died
        survivor.address, owners = address, (survivor,)
        survivor.other_monthly_income = OLD_AGE_PENSION_SINGLE
        survivor.other_income_type = "old_age_pension"
    else:
        _marry(a, b, married)
        for adult in (a, b):
            adult.address = address
            adult.other_monthly_income = OLD_AGE_PENSION_COUPLE
            adult.other_income_type = "old_age_pension"
    homes: tuple[Home, ...] = ()
    if address.floor is None or rng.random() < 0.3:
        homes = (_home(rng, world, address, owners, married),)
    return [Household((a.freeze(world), b.freeze(world)), homes)]


def _emigrated(rng: random.Random, world: _World) -> list[Household]:
    """Someone who left the country: status 80 and no Danish address."""
    person = _person(rng, rng.choice("MF"), _birth_date(rng, 22, 70))
    person.status = "80"
    person.status_date = _between(rng, date(2005, 1, 1), TODAY - timedelta(days=30))
    return [Household((person.freeze(world),))]


_KINDS = (
    (_family, 40),
    (_divorced, 10),
    (_single, 20),
    (_student, 10),
    (_pensioners, 15),
    (_emigrated, 2),
)
_KIND_FUNCTIONS = tuple(kind for kind, _ in _KINDS)
_KIND_WEIGHTS = tuple(weight for _, weight in _KINDS)


# --- the personas ---------------------------------------------------------------------


def _fixed(
    person_id: str,
    sex: str,
    birth: date,
    first: str,
    last: str,
    middle: str | None = None,
) -> _Person:
    return _Person(person_id, sex, birth, first, last, middle)


def _pid(name: str) -> str:
    return persona(name).person_id


def _persona_households(world: _World) -> list[Household]:
    """The personas and their families, independent of the seed."""
    rng = random.Random(20261204)
    return [
        _persona_family(rng, world),
        _persona_pensioner(rng, world),
        _persona_student(rng, world),
        _persona_protected(rng, world),
        *_persona_divorce(rng, world),
        _persona_no_mod11(rng, world),
        _persona_emigrated(world),
    ]


def _persona_family(rng: random.Random, world: _World) -> Household:
    parent = _fixed(_pid("parent"), "F", date(1984, 5, 21), "Mette", "Jensen", "Holm")
    spouse = _fixed(_pid("spouse"), "M", date(1982, 9, 9), "Anders Peter", "Jensen")
    teen = _fixed(_pid("teen"), "F", date(2010, 2, 17), "Ida", "Jensen", "Holm")
    young = _fixed(
        _pid("young-child"), "M", date(2018, 9, 3), "Oscar", "Jensen", "Holm"
    )
    married = date(2009, 6, 13)
    _marry(parent, spouse, married)
    parent.employment = _employment(rng, parent, 42_000, 160)
    spouse.employment = _employment(rng, spouse, 46_500, 160)
    address = _address(rng, flat=False, postcode=("4000", "Roskilde", "265"))
    for child in (teen, young):
        child.parent_ids = child.custody_holder_ids = (
            parent.person_id,
            spouse.person_id,
        )
    for member in (parent, spouse, teen, young):
        member.address = address
    home = Home(
        bfe=2_000_001,
        address=address,
        use_code=130,
        construction_year=1978,
        floor_area=142,
        land_area=410,
        cadastral_district="Roskilde Bygrunde",
        parcel_number="14a",
        heating="district heating",
        owners=(
            Ownership(parent.person_id, 1, 2, date(2012, 4, 1)),
            Ownership(spouse.person_id, 1, 2, date(2012, 4, 1)),
        ),
        property_value=3_800_000,
        land_value=1_200_000,
        valuation_year=2025,
        preliminary=True,
    )
    members = (parent, spouse, teen, young)
    return Household(tuple(m.freeze(world) for m in members), (home,))


def _persona_pensioner(rng: random.Random, world: _World) -> Household:
    widow = _fixed(_pid("pensioner"), "F", date(1948, 11, 2), "Inge", "Mortensen")
    late = _fixed(_pid("deceased"), "M", date(1945, 7, 30), "Poul Erik", "Mortensen")
    died = date(2021, 3, 15)
    widow.civil_status, widow.civil_status_date = "E", died
    late.civil_status, late.civil_status_date = "D", died
    late.status, late.status_date = "90", died
    widow.other_monthly_income = OLD_AGE_PENSION_SINGLE
    widow.other_income_type = "old_age_pension"
    widow.address = _address(rng, flat=False, postcode=("5700", "Svendborg", "479"))
    home = _home(rng, world, widow.address, (widow,), date(1976, 8, 1))
    return Household((widow.freeze(world), late.freeze(world)), (home,))


def _persona_student(rng: random.Random, world: _World) -> Household:
    student = _fixed(_pid("student"), "M", date(2003, 8, 19), "Mikkel", "Rasmussen")
    student.address = _address(rng, flat=True, postcode=("8000", "Aarhus C", "751"))
    student.employment = _employment(rng, student, 8_400, 60)
    student.other_monthly_income, student.other_income_type = SU_GRANT, "su_grant"
    student.church_member = False
    return Household((student.freeze(world),))


def _persona_protected(rng: random.Random, world: _World) -> Household:
    person = _fixed(_pid("protected"), "F", date(1991, 1, 9), "Camilla", "Larsen")
    person.protections = ("name_address",)
    person.address = _address(rng, flat=True, postcode=("2200", "København N", "101"))
    person.employment = _employment(rng, person, 38_500, 160)
    return Household((person.freeze(world),))


def _persona_divorce(rng: random.Random, world: _World) -> list[Household]:
    father = _fixed(
        _pid("non-custodial-parent"), "M", date(1980, 10, 12), "Jesper", "Olsen"
    )
    mother = _fixed(_EX_ID, "F", date(1982, 3, 27), "Lene", "Poulsen")
    child = _fixed(_NON_CUSTODIAL_CHILD_ID, "F", date(2015, 6, 25), "Alma", "Olsen")
    divorced = date(2019, 8, 1)
    for adult in (father, mother):
        adult.civil_status, adult.civil_status_date = "F", divorced
        adult.employment = _employment(rng, adult)
    child.parent_ids = (mother.person_id, father.person_id)
    child.custody_holder_ids = (mother.person_id,)
    father.address = _address(rng, flat=True, postcode=("5000", "Odense C", "461"))
    mother.address = child.address = _address(
        rng, flat=False, postcode=("5200", "Odense V", "461")
    )
    return [
        Household((father.freeze(world),)),
        Household((mother.freeze(world), child.freeze(world))),
    ]


def _persona_no_mod11(rng: random.Random, world: _World) -> Household:
    person = _fixed(_pid("no-mod11"), "F", date(2008, 4, 7), "Freja", "Knudsen")
    person.address = _address(rng, flat=True, postcode=("9000", "Aalborg", "851"))
    person.other_monthly_income, person.other_income_type = SU_GRANT, "su_grant"
    return Household((person.freeze(world, mod11=False),))


def _persona_emigrated(world: _World) -> Household:
    person = _fixed(_pid("emigrated"), "M", date(1990, 2, 14), "Kasper", "Thomsen")
    person.status, person.status_date = "80", date(2022, 9, 1)
    return Household((person.freeze(world),))


# --- the population -------------------------------------------------------------------


def _filler(rng: random.Random, world: _World, left: int) -> list[Household]:
    """Households of exactly ``left`` citizens or fewer, to end on the count."""
    households: list[Household] = []
    for _ in range(left):
        households.extend(_single(rng, world))
    return households


def generate(
    citizens: int, seed: int, chunk_size: int = 5000
) -> Iterator[list[Household]]:
    """The population of ``citizens`` people, in chunks of about ``chunk_size``.

    Deterministic in ``(citizens, seed)`` and independent of ``chunk_size``; the
    personas and their families come first, in the first chunk, and are part of the
    count (a population never holds fewer people than the personas).

    Args:
        citizens: how many people to generate.
        seed: the seed of every random choice.
        chunk_size: citizens per chunk; households are never split.

    Yields:
        Lists of households whose members number about ``chunk_size``.
    """
    if citizens < 0 or chunk_size < 1:
        raise ValueError("citizens must be 0 or more and chunk_size 1 or more.")
    world = _World(seed=seed)
    chunk = _persona_households(world)
    count = sum(len(h.members) for h in chunk)
    size = count
    index = 0
    while count < citizens:
        rng = random.Random(seed * 4_294_967_296 + index)
        index += 1
        kind = rng.choices(_KIND_FUNCTIONS, _KIND_WEIGHTS)[0]
        households = kind(rng, world)
        people = sum(len(h.members) for h in households)
        if count + people > citizens:
            households = _filler(rng, world, citizens - count)
            people = citizens - count
        chunk.extend(households)
        count += people
        size += people
        if size >= chunk_size:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def citizens_of(chunks: Iterator[list[Household]]) -> Iterator[Citizen]:
    """Every citizen of ``chunks``, in order."""
    for chunk in chunks:
        for household in chunk:
            yield from household.members
