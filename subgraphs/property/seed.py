"""The property register's synthetic data, derived from the population's homes.

Each home becomes a property with its parcel, a main building (and, for some
houses, a garage or an outbuilding), its owners' shares and a valuation history:
owner-occupied homes are valued in odd years, back to 2015 or the year the home
was built, with values that grow towards the newest valuation.
"""

import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table

from subgraphs.population import Home, Household
from subgraphs.property.models import buildings, ownerships, properties, valuations

FIRST_VALUATION_YEAR = 2015

OUTBUILDINGS = ((910, 18, 40), (920, 15, 30), (930, 8, 25))
"""Use code and floor area range of the small buildings next to a house."""


def _property_row(home: Home) -> dict[str, Any]:
    address = home.address
    return {
        "bfe_number": home.bfe,
        "address_id": address.address_id,
        "street": address.street,
        "house_number": address.house_number,
        "floor": address.floor,
        "door": address.door,
        "postcode": address.postcode,
        "city": address.city,
        "municipality_code": address.municipality.code,
        "municipality_name": address.municipality.name,
        "land_tax_rate": address.municipality.land_tax_rate,
        "cadastral_district": home.cadastral_district,
        "parcel_number": home.parcel_number,
        "land_area": home.land_area,
    }


def _building_rows(home: Home, rng: random.Random) -> list[dict[str, Any]]:
    main = {
        "bfe_number": home.bfe,
        "building_number": 1,
        "use_code": home.use_code,
        "construction_year": home.construction_year,
        "floor_area": home.floor_area,
        "heating": home.heating,
    }
    rows = [main]
    if home.use_code in (110, 120) and rng.random() < 0.6:
        use_code, smallest, largest = rng.choice(OUTBUILDINGS)
        rows.append(
            {
                "bfe_number": home.bfe,
                "building_number": 2,
                "use_code": use_code,
                "construction_year": rng.randint(home.construction_year, 2024),
                "floor_area": rng.randint(smallest, largest),
                "heating": None,
            }
        )
    return rows


def valuation_rows(home: Home, rng: random.Random) -> list[dict[str, Any]]:
    """The home's valuations, oldest first; the newest is the home's own."""
    first = max(
        FIRST_VALUATION_YEAR, home.construction_year + home.construction_year % 2 + 1
    )
    years = range(home.valuation_year, min(first, home.valuation_year) - 1, -2)
    rows = []
    value, land = home.property_value, home.land_value
    for year in years:
        rows.append(
            {
                "bfe_number": home.bfe,
                "year": year,
                "property_value": value,
                "land_value": land,
                "preliminary": home.preliminary and year == home.valuation_year,
            }
        )
        growth = 1 + rng.uniform(0.02, 0.12)
        value = int(round(value / growth, -4))
        land = min(value, int(round(land / growth, -4)))
    return rows[::-1]


def rows(chunk: Sequence[Household]) -> dict[Table, list[dict[str, Any]]]:
    """The property register's rows for a chunk of households (pure, deterministic)."""
    result: dict[Table, list[dict[str, Any]]] = {
        properties: [],
        buildings: [],
        ownerships: [],
        valuations: [],
    }
    for household in chunk:
        for home in household.homes:
            rng = random.Random(home.bfe)
            result[properties].append(_property_row(home))
            result[buildings].extend(_building_rows(home, rng))
            result[ownerships].extend(
                {
                    "bfe_number": home.bfe,
                    "person_id": share.person_id,
                    "numerator": share.numerator,
                    "denominator": share.denominator,
                    "since": share.since,
                }
                for share in home.owners
            )
            result[valuations].extend(valuation_rows(home, rng))
    return result
