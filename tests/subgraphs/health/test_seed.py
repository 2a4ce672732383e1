from datetime import date

from subgraphs.health import seed
from subgraphs.health.models import health_records, vaccinations
from subgraphs.population import generate
from tests.subgraphs.authorities import citizen, household


def test_a_young_child_has_the_programme_up_to_their_age() -> None:
    child = citizen(birth_date=date(2018, 5, 1))

    rows = seed.vaccination_rows(child)

    assert [(r["vaccine"], r["dose"]) for r in rows] == [
        ("DiTeKiPol/Hib", "1"),
        ("Pneumococcal (PCV)", "1"),
        ("DiTeKiPol/Hib", "2"),
        ("Pneumococcal (PCV)", "2"),
        ("DiTeKiPol/Hib", "3"),
        ("Pneumococcal (PCV)", "3"),
        ("MMR", "1"),
        ("MMR", "2"),
        ("diTeKiPol booster", "booster"),
    ]
    assert rows[0]["given_on"] == date(2018, 7, 31)


def test_a_teenager_has_the_whole_programme() -> None:
    teen = citizen(birth_date=date(2010, 3, 1))

    rows = seed.vaccination_rows(teen)

    assert len(rows) == len(seed.PROGRAMME)
    assert rows[-1]["vaccine"] == "HPV"


def test_pensioners_get_the_yearly_flu_vaccine_only() -> None:
    pensioner = citizen(birth_date=date(1948, 2, 11))

    rows = seed.vaccination_rows(pensioner)

    assert [(r["vaccine"], r["given_on"]) for r in rows] == [
        ("Influenza", date(2024, 10, 15)),
        ("Influenza", date(2025, 10, 15)),
        ("Influenza", date(2026, 10, 15)),
    ]


def test_every_resident_has_a_record_and_nobody_else() -> None:
    chunk = next(generate(300, seed=9))
    residents = {c.person_id for hh in chunk for c in hh.members if c.address}

    rows = seed.rows(chunk)

    assert {r["person_id"] for r in rows[health_records]} == residents
    owners = {r["person_id"] for table, values in rows.items() for r in values}
    assert owners <= residents


def test_children_in_the_population_have_their_vaccinations() -> None:
    chunk = next(generate(300, seed=9))
    children = [
        c
        for hh in chunk
        for c in hh.members
        if c.address and date(2012, 1, 1) <= c.birth_date <= date(2025, 1, 1)
    ]

    rows = seed.rows(chunk)[vaccinations]

    assert children
    vaccinated = {r["person_id"] for r in rows}
    assert all(child.person_id in vaccinated for child in children)


def test_rows_are_deterministic() -> None:
    assert seed.rows(next(generate(100, seed=4))) == seed.rows(
        next(generate(100, seed=4))
    )


def test_the_dead_have_no_record() -> None:
    gone = citizen(status="90", address=None)

    rows = seed.rows([household(gone)])

    assert all(values == [] for values in rows.values())
