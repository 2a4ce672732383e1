"""The synthetic population: CPR rules, families, personas and determinism."""

import re
from collections import Counter
from datetime import date
from fractions import Fraction

import pytest
from stdnum.dk import cvr

from subgraphs import population
from subgraphs.cpr_numbers import (
    MOD11_SINCE,
    CprIssuer,
    birth_date_from_cpr,
    birth_year,
    century_digits,
    is_substitute,
    passes_mod11,
    sex_from_cpr,
)
from subgraphs.gazetteer import EMPLOYERS, MUNICIPALITIES, POSTCODES
from subgraphs.population import (
    PERSONAS,
    TODAY,
    Citizen,
    Household,
    UnknownPersona,
    generate,
    persona,
)

CPR_FORMAT = re.compile(r"^\d{6}-\d{4}$")


@pytest.fixture(scope="module")
def households() -> list[Household]:
    return [h for chunk in generate(3_000, 11, chunk_size=700) for h in chunk]


@pytest.fixture(scope="module")
def people(households: list[Household]) -> dict[str, Citizen]:
    return {c.person_id: c for h in households for c in h.members}


def by_persona(people: dict[str, Citizen], name: str) -> Citizen:
    return people[persona(name).person_id]


@pytest.mark.parametrize(
    ("yy", "seventh", "year"),
    [
        (36, 0, 1936),
        (99, 3, 1999),
        (36, 4, 2036),
        (37, 4, 1937),
        (58, 9, 1958),
        (10, 9, 2010),
        (5, 5, 2005),
        (40, 7, 2040),
        (60, 8, 1860),
    ],
)
def test_century_follows_year_and_seventh_digit(
    yy: int, seventh: int, year: int
) -> None:
    assert birth_year(yy, seventh) == year
    assert seventh in century_digits(year)


def test_century_digits_refuse_unencodable_years() -> None:
    with pytest.raises(ValueError, match="1850"):
        century_digits(1850)


def test_issued_numbers_obey_every_rule() -> None:
    issuer = CprIssuer()
    births = [
        date(1937, 1, 1),
        date(1999, 12, 31),
        date(2007, 9, 30),
        date(2020, 2, 29),
    ]
    numbers = [issuer.issue(b, s) for b in births for s in "MF" for _ in range(40)]
    assert len(set(numbers)) == len(numbers)
    for number, (birth, sex) in zip(
        numbers, [(b, s) for b in births for s in "MF" for _ in range(40)], strict=True
    ):
        assert CPR_FORMAT.match(number)
        assert is_substitute(number)
        assert birth_date_from_cpr(number) == birth
        assert sex_from_cpr(number) == sex
        assert int(number[7]) in century_digits(birth.year)
        if birth < MOD11_SINCE:
            assert passes_mod11(number)


def test_numbers_after_october_2007_may_fail_modulus_11() -> None:
    issuer = CprIssuer()
    numbers = [issuer.issue(date(2015, 5, 5), "F") for _ in range(200)]
    assert any(not passes_mod11(n) for n in numbers)
    assert not passes_mod11(issuer.issue(date(2015, 5, 5), "M", mod11=False))


def test_modulus_11_check() -> None:
    assert passes_mod11("070761-4285")  # weighted sum 143 = 13 x 11
    assert not passes_mod11("070761-4286")


@pytest.mark.parametrize("bad", ["12345", "abcdef-ghij", "0707614285x"])
def test_malformed_numbers_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="ten digits"):
        birth_date_from_cpr(bad)


def test_every_citizen_is_well_formed(people: dict[str, Citizen]) -> None:
    assert len(people) == 3_000
    assert len({c.cpr for c in people.values()}) == len(people)
    for citizen in people.values():
        assert CPR_FORMAT.match(citizen.cpr)
        assert birth_date_from_cpr(citizen.cpr) == citizen.birth_date
        assert sex_from_cpr(citizen.cpr) == citizen.sex
        if citizen.birth_date < MOD11_SINCE:
            assert passes_mod11(citizen.cpr), citizen.person_id
        assert citizen.civil_status in "UGFEPOLD"
        assert len(citizen.custody_holder_ids) <= 2
        assert set(citizen.custody_holder_ids) <= set(citizen.parent_ids)
        assert citizen.birth_date <= TODAY


def test_the_dead_and_the_emigrated_have_no_address(
    people: dict[str, Citizen],
) -> None:
    for citizen in people.values():
        if citizen.status in ("80", "90"):
            assert citizen.address is None
            assert citizen.status_date is not None
        else:
            assert citizen.address is not None


def test_addresses_agree_with_the_postcode_table(people: dict[str, Citizen]) -> None:
    triples = set(POSTCODES)
    for citizen in people.values():
        if citizen.address is not None:
            a = citizen.address
            assert (a.postcode, a.city, a.municipality.code) in triples
            assert MUNICIPALITIES[a.municipality.code] == a.municipality


def test_relations_point_at_people_of_the_population(
    people: dict[str, Citizen],
) -> None:
    for citizen in people.values():
        if citizen.spouse_id is not None:
            spouse = people[citizen.spouse_id]
            assert spouse.spouse_id == citizen.person_id
            assert citizen.civil_status == spouse.civil_status == "G"
        for parent_id in citizen.parent_ids:
            assert people[parent_id].birth_date < citizen.birth_date


def test_families_of_every_kind_are_there(people: dict[str, Citizen]) -> None:
    statuses = Counter(c.civil_status for c in people.values())
    assert {"U", "G", "F", "E", "D"} <= set(statuses)
    kinds = Counter(c.other_income_type for c in people.values())
    assert {"old_age_pension", "su_grant", "unemployment_benefit"} <= set(kinds)
    children = [c for c in people.values() if c.parent_ids]
    sole_custody = [c for c in children if len(c.custody_holder_ids) == 1]
    assert children
    assert sole_custody


def test_homes_are_owned_in_whole(households: list[Household]) -> None:
    homes = [home for h in households for home in h.homes]
    assert homes
    assert len({home.bfe for home in homes}) == len(homes)
    for home in homes:
        shares = sum(Fraction(o.numerator, o.denominator) for o in home.owners)
        assert shares == 1
        assert home.valuation_year % 2 == 1
        assert home.land_value < home.property_value


def test_employers_have_valid_company_numbers() -> None:
    for employer in EMPLOYERS:
        assert cvr.is_valid(employer.cvr)


def test_generation_is_deterministic_and_independent_of_chunking() -> None:
    first = [h for chunk in generate(800, 3, chunk_size=100) for h in chunk]
    again = [h for chunk in generate(800, 3, chunk_size=5_000) for h in chunk]
    other = [h for chunk in generate(800, 4) for h in chunk]
    assert first == again
    assert first != other


def test_chunks_hold_about_the_chunk_size() -> None:
    sizes = [sum(len(h.members) for h in c) for c in generate(2_000, 1, 500)]
    assert sum(sizes) == 2_000
    assert all(500 <= size < 520 for size in sizes[:-1])


def test_personas_come_first_whatever_the_size_and_seed() -> None:
    ids = {p.person_id for p in PERSONAS}
    for citizens, seed in ((0, 1), (50, 2), (1_000, 99)):
        first = next(generate(citizens, seed))
        present = {c.person_id for h in first for c in h.members}
        assert ids <= present


def test_persona_lookup() -> None:
    assert persona("parent").person_id == "8ba18525-6f8a-4435-b7b4-9fd56be71f83"
    with pytest.raises(UnknownPersona, match="nobody") as raised:
        persona("nobody")
    assert raised.value.code == "UNKNOWN_PERSONA"


def test_the_family_personas(people: dict[str, Citizen]) -> None:
    parent = by_persona(people, "parent")
    spouse = by_persona(people, "spouse")
    teen = by_persona(people, "teen")
    young = by_persona(people, "young-child")
    assert parent.civil_status == spouse.civil_status == "G"
    assert parent.spouse_id == spouse.person_id
    assert parent.employment is not None
    assert parent.employment.monthly_gross == 42_000
    assert teen.age_on(TODAY) >= 15 > young.age_on(TODAY)
    for child in (teen, young):
        assert set(child.parent_ids) == {parent.person_id, spouse.person_id}
        assert set(child.custody_holder_ids) == {parent.person_id, spouse.person_id}
    home = next(h for h in population_homes(people, parent))
    assert {(o.person_id, o.numerator, o.denominator) for o in home.owners} == {
        (parent.person_id, 1, 2),
        (spouse.person_id, 1, 2),
    }


def population_homes(
    people: dict[str, Citizen], owner: Citizen
) -> list[population.Home]:
    chunk = next(generate(0, 1))
    return [
        home
        for household in chunk
        for home in household.homes
        if any(o.person_id == owner.person_id for o in home.owners)
    ]


def test_the_other_personas(people: dict[str, Citizen]) -> None:
    pensioner = by_persona(people, "pensioner")
    deceased = by_persona(people, "deceased")
    assert pensioner.civil_status == "E"
    assert pensioner.other_income_type == "old_age_pension"
    assert population_homes(people, pensioner)
    assert (deceased.status, deceased.civil_status, deceased.address) == (
        "90",
        "D",
        None,
    )

    student = by_persona(people, "student")
    assert student.other_income_type == "su_grant"
    assert student.employment is not None
    assert student.employment.hours_per_month < 100
    assert not population_homes(people, student)

    assert by_persona(people, "protected").protections == ("name_address",)

    father = by_persona(people, "non-custodial-parent")
    child = next(c for c in people.values() if father.person_id in c.parent_ids)
    assert father.civil_status == "F"
    assert father.person_id not in child.custody_holder_ids
    assert len(child.custody_holder_ids) == 1

    no_mod11 = by_persona(people, "no-mod11")
    assert no_mod11.birth_date > MOD11_SINCE
    assert not passes_mod11(no_mod11.cpr)

    emigrated = by_persona(people, "emigrated")
    assert (emigrated.status, emigrated.address) == ("80", None)

    attorney = by_persona(people, "attorney")
    assert attorney.age_on(TODAY) == 51
    assert set(attorney.parent_ids) == {pensioner.person_id, deceased.person_id}
    assert attorney.custody_holder_ids == ()
    (mothers,) = pensioner.powers_granted
    (fathers,) = deceased.powers_granted
    assert mothers.grantee_id == fathers.grantee_id == attorney.person_id
    assert set(mothers.scope) == {"skat", "property"}
    assert mothers.valid_from <= TODAY <= (mothers.valid_to or TODAY)
    assert fathers.valid_to == deceased.status_date
