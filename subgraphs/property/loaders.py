"""Per-request loaders of the property register: one ``IN (...)`` query per batch."""

from dataclasses import dataclass

from sqlalchemy import select

from subgraphs import kit
from subgraphs.property.models import buildings, ownerships, properties, valuations

Rows = list[kit.Row]


_HOMES = (
    select(
        properties,
        ownerships.c.person_id,
        ownerships.c.numerator,
        ownerships.c.denominator,
        ownerships.c.since,
    )
    .join(ownerships, ownerships.c.bfe_number == properties.c.bfe_number)
    .where(ownerships.c.person_id.in_(kit.batch_keys()))
    .order_by(properties.c.bfe_number)
)
_PROPERTIES = select(properties).where(properties.c.bfe_number.in_(kit.batch_keys()))
_OWNERS = (
    select(ownerships)
    .where(ownerships.c.bfe_number.in_(kit.batch_keys()))
    .order_by(ownerships.c.since, ownerships.c.id)
)
_BUILDINGS = (
    select(buildings)
    .where(buildings.c.bfe_number.in_(kit.batch_keys()))
    .order_by(buildings.c.building_number)
)
_VALUATIONS = (
    select(valuations)
    .where(valuations.c.bfe_number.in_(kit.batch_keys()))
    .order_by(valuations.c.year.desc())
)


async def load_homes(database: kit.Database, people: list[str]) -> list[Rows]:
    """Each person's properties with their share, by BFE number."""
    rows = await database.rows(_HOMES, {"keys": people})
    return kit.grouped(people, rows, key=lambda row: row["person_id"])


async def load_properties(
    database: kit.Database, numbers: list[int]
) -> list[kit.Row | None]:
    """Properties by BFE number; None for a number the register does not hold."""
    rows = await database.rows(_PROPERTIES, {"keys": numbers})
    return kit.ordered(numbers, rows, key=lambda row: row["bfe_number"])


async def load_owners(database: kit.Database, numbers: list[int]) -> list[Rows]:
    """The owners of each property, the longest-standing first."""
    rows = await database.rows(_OWNERS, {"keys": numbers})
    return kit.grouped(numbers, rows, key=lambda row: row["bfe_number"])


async def load_buildings(database: kit.Database, numbers: list[int]) -> list[Rows]:
    """The buildings on each property, by building number."""
    rows = await database.rows(_BUILDINGS, {"keys": numbers})
    return kit.grouped(numbers, rows, key=lambda row: row["bfe_number"])


async def load_valuations(database: kit.Database, numbers: list[int]) -> list[Rows]:
    """The valuations of each property, newest year first."""
    rows = await database.rows(_VALUATIONS, {"keys": numbers})
    return kit.grouped(numbers, rows, key=lambda row: row["bfe_number"])


@dataclass(eq=False)
class PropertyContext(kit.SubgraphContext):
    """A request to the property register, with its own loaders."""

    homes = kit.Loader(load_homes)
    properties = kit.Loader(load_properties)
    owners = kit.Loader(load_owners)
    buildings = kit.Loader(load_buildings)
    valuations = kit.Loader(load_valuations)
