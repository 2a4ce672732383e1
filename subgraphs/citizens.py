"""The people of the synthetic population: the data model and the personas.

Frozen dataclasses that :mod:`subgraphs.population` hands to every authority's
seed module, and the named personas with their fixed ids.
"""

from dataclasses import dataclass
from datetime import date

from subgraphs.gazetteer import Municipality

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
class PowerGrant:
    """A digital power of attorney (fuldmagt) that a citizen granted someone.

    ``scope`` names the authorities it covers (``cpr``, ``skat``, ``property``,
    ``health``); ``valid_to`` is its last day, or None until revoked.
    """

    power_id: str
    grantee_id: str
    scope: tuple[str, ...]
    valid_from: date
    valid_to: date | None


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
    powers_granted: tuple[PowerGrant, ...] = ()

    def age_on(self, day: date) -> int:
        """Whole years of age on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


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
    Persona(
        "attorney",
        "3f0c5a4e-7d21-4b8e-9a61-2c4e8d9b7f15",
        "the pensioner's daughter aged 51: holds her mother's power of attorney "
        "for tax and property (not health), and her late father's, which ended "
        "when he died",
    ),
)
"""The named personas; their ids are fixed and independent of ``citizens``/``seed``."""

MOTHER_POWER_ID = "0d6f1b7a-3c52-4e9d-8f14-6a2b9c7e5d31"
"""The pensioner's power of attorney to the attorney: tax and property."""

FATHER_POWER_ID = "9b4e2d8c-1f63-4a7b-b5c9-3e8d7a1f6c42"
"""The late husband's power of attorney to the attorney, ended at his death."""

EX_ID = "af2db0e6-66e5-4b79-80e7-384fc8c3fa38"
NON_CUSTODIAL_CHILD_ID = "a41c68c0-78c3-49be-a402-a521625d54a7"


def persona(name: str) -> Persona:
    """The persona called ``name``; raises :class:`UnknownPersona` otherwise."""
    for candidate in PERSONAS:
        if candidate.name == name:
            return candidate
    raise UnknownPersona(name)
