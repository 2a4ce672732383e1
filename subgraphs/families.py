"""How the synthetic population is put together: people, families and personas.

Private to :mod:`subgraphs.population`, which is the interface. Every random
choice comes from the ``random.Random`` a family is generated with; what must be
unique across the whole population (CPR numbers, BFE numbers) comes from the
:class:`World` shared by all families.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from subgraphs.citizens import (
    EX_ID,
    FATHER_POWER_ID,
    MOTHER_POWER_ID,
    NON_CUSTODIAL_CHILD_ID,
    OLD_AGE_PENSION_COUPLE,
    OLD_AGE_PENSION_SINGLE,
    SU_GRANT,
    TODAY,
    UNEMPLOYMENT_BENEFIT,
    Address,
    Citizen,
    Employment,
    Home,
    Household,
    Ownership,
    PowerGrant,
    persona,
)
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
)

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
class World:
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
    powers_granted: tuple[PowerGrant, ...] = ()

    def freeze(self, world: World, mod11: bool | None = None) -> Citizen:
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
            powers_granted=self.powers_granted,
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
    world: World,
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
    birth = min(_between(rng, first, max(first, last)), TODAY - timedelta(days=30))
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


def _family(rng: random.Random, world: World) -> list[Household]:
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


def _divorced(rng: random.Random, world: World) -> list[Household]:
    """Divorced parents in two households; the children live with one of them."""
    a, b = _couple(rng, 28, 60)
    married = _years_after(max(a.birth_date, b.birth_date), rng.randint(22, 28))
    married = min(married, TODAY - timedelta(days=1_200))
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


def _single(rng: random.Random, world: World) -> list[Household]:
    """An unmarried adult renting a flat."""
    adult = _person(rng, rng.choice("MF"), _birth_date(rng, 20, 75))
    _working_age_income(rng, adult)
    adult.address = _address(rng, flat=True)
    return [Household((adult.freeze(world),))]


def _student(rng: random.Random, world: World) -> list[Household]:
    """A student renting a flat, on the SU grant and often with part-time pay."""
    student = _person(rng, rng.choice("MF"), _birth_date(rng, 19, 28))
    postcode = rng.choice([p for p in POSTCODES if p[2] in URBAN])
    student.address = _address(rng, flat=True, postcode=postcode)
    student.other_monthly_income, student.other_income_type = SU_GRANT, "su_grant"
    if rng.random() < 0.6:
        pay = rng.randrange(4_000, 12_000, 100)
        student.employment = _employment(rng, student, pay, hours=pay // 140)
    return [Household((student.freeze(world),))]


def _pensioners(rng: random.Random, world: World) -> list[Household]:
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


def _emigrated(rng: random.Random, world: World) -> list[Household]:
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
KIND_FUNCTIONS = tuple(kind for kind, _ in _KINDS)
KIND_WEIGHTS = tuple(weight for _, weight in _KINDS)


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


def persona_households(world: World) -> list[Household]:
    """The personas and their families, independent of the seed."""
    rng = random.Random(20261204)
    return [
        _persona_family(rng, world),
        _persona_pensioner(rng, world),
        _persona_attorney(world),
        _persona_student(rng, world),
        _persona_protected(rng, world),
        *_persona_divorce(rng, world),
        _persona_no_mod11(rng, world),
        _persona_emigrated(world),
    ]


def _persona_family(rng: random.Random, world: World) -> Household:
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


def _persona_pensioner(rng: random.Random, world: World) -> Household:
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
    daughter = _pid("attorney")
    widow.powers_granted = (
        PowerGrant(
            MOTHER_POWER_ID,
            daughter,
            ("property", "skat"),
            date(2025, 2, 1),
            date(2028, 1, 31),
        ),
    )
    late.powers_granted = (
        PowerGrant(FATHER_POWER_ID, daughter, ("skat",), date(2019, 5, 1), died),
    )
    return Household((widow.freeze(world), late.freeze(world)), (home,))


def _persona_attorney(world: World) -> Household:
    """The pensioner's daughter, drawn from a random source of her own so that
    the personas generated after her keep their data."""
    rng = random.Random(20261205)
    daughter = _fixed(_pid("attorney"), "F", date(1975, 6, 12), "Hanne", "Mortensen")
    daughter.parent_ids = (_pid("pensioner"), _pid("deceased"))
    daughter.address = _address(rng, flat=True, postcode=("5000", "Odense C", "461"))
    daughter.employment = _employment(rng, daughter, 44_000, 160)
    return Household((daughter.freeze(world),))


def _persona_student(rng: random.Random, world: World) -> Household:
    student = _fixed(_pid("student"), "M", date(2003, 8, 19), "Mikkel", "Rasmussen")
    student.address = _address(rng, flat=True, postcode=("8000", "Aarhus C", "751"))
    student.employment = _employment(rng, student, 8_400, 60)
    student.other_monthly_income, student.other_income_type = SU_GRANT, "su_grant"
    student.church_member = False
    return Household((student.freeze(world),))


def _persona_protected(rng: random.Random, world: World) -> Household:
    person = _fixed(_pid("protected"), "F", date(1991, 1, 9), "Camilla", "Larsen")
    person.protections = ("name_address",)
    person.address = _address(rng, flat=True, postcode=("2200", "København N", "101"))
    person.employment = _employment(rng, person, 38_500, 160)
    return Household((person.freeze(world),))


def _persona_divorce(rng: random.Random, world: World) -> list[Household]:
    father = _fixed(
        _pid("non-custodial-parent"), "M", date(1980, 10, 12), "Jesper", "Olsen"
    )
    mother = _fixed(EX_ID, "F", date(1982, 3, 27), "Lene", "Poulsen")
    child = _fixed(NON_CUSTODIAL_CHILD_ID, "F", date(2015, 6, 25), "Alma", "Olsen")
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


def _persona_no_mod11(rng: random.Random, world: World) -> Household:
    person = _fixed(_pid("no-mod11"), "F", date(2008, 4, 7), "Freja", "Knudsen")
    person.address = _address(rng, flat=True, postcode=("9000", "Aalborg", "851"))
    person.other_monthly_income, person.other_income_type = SU_GRANT, "su_grant"
    return Household((person.freeze(world, mod11=False),))


def _persona_emigrated(world: World) -> Household:
    person = _fixed(_pid("emigrated"), "M", date(1990, 2, 14), "Kasper", "Thomsen")
    person.status, person.status_date = "80", date(2022, 9, 1)
    return Household((person.freeze(world),))


def filler(rng: random.Random, world: World, left: int) -> list[Household]:
    """Households of exactly ``left`` citizens or fewer, to end on the count."""
    households: list[Household] = []
    for _ in range(left):
        households.extend(_single(rng, world))
    return households
