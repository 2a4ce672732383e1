from collections import defaultdict
from fractions import Fraction

from subgraphs.population import generate, persona
from subgraphs.property import seed
from subgraphs.property.models import buildings, ownerships, properties, valuations
from tests.subgraphs.authorities import citizen, home, household


def test_every_home_becomes_a_property_with_whole_ownership() -> None:
    chunk = next(generate(400, seed=5))
    homes = {h.bfe: h for hh in chunk for h in hh.homes}

    rows = seed.rows(chunk)

    assert homes
    assert {p["bfe_number"] for p in rows[properties]} == set(homes)
    shares: dict[int, Fraction] = defaultdict(Fraction)
    for share in rows[ownerships]:
        shares[share["bfe_number"]] += Fraction(
            share["numerator"], share["denominator"]
        )
    assert set(shares.values()) == {Fraction(1)}
    assert {
        b["bfe_number"] for b in rows[buildings] if b["building_number"] == 1
    } == set(homes)


def test_valuations_are_in_odd_years_ending_with_the_homes_own() -> None:
    chunk = next(generate(400, seed=5))
    rows = seed.rows(chunk)
    by_bfe = defaultdict(list)
    for valuation in rows[valuations]:
        by_bfe[valuation["bfe_number"]].append(valuation)

    for bfe_home in (h for hh in chunk for h in hh.homes):
        history = by_bfe[bfe_home.bfe]
        assert all(v["year"] % 2 == 1 for v in history)
        newest = history[-1]
        assert (newest["year"], newest["property_value"], newest["land_value"]) == (
            bfe_home.valuation_year,
            bfe_home.property_value,
            bfe_home.land_value,
        )
        assert newest["preliminary"] is bfe_home.preliminary
        assert not any(v["preliminary"] for v in history[:-1])
        assert [v["year"] for v in history] == sorted(v["year"] for v in history)


def test_the_parent_and_spouse_own_half_each() -> None:
    chunk = next(generate(50, seed=1))
    parent, spouse = persona("parent").person_id, persona("spouse").person_id

    shares = [
        s for s in seed.rows(chunk)[ownerships] if s["person_id"] in (parent, spouse)
    ]

    assert len(shares) == 2
    assert {(s["numerator"], s["denominator"]) for s in shares} == {(1, 2)}
    assert shares[0]["bfe_number"] == shares[1]["bfe_number"]


def test_renters_have_no_rows() -> None:
    assert seed.rows([household(citizen())]) == {
        properties: [],
        buildings: [],
        ownerships: [],
        valuations: [],
    }


def test_rows_are_deterministic() -> None:
    owner = citizen()
    homes = [household(owner, homes=[home(1234, owner)])]

    assert seed.rows(homes) == seed.rows(homes)
    assert seed.rows(next(generate(100, seed=2))) == seed.rows(
        next(generate(100, seed=2))
    )
