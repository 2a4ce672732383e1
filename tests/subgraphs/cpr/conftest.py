"""Fixtures of the civil register's tests: its seeded database, viewers, requests."""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert
from strawberry.types import ExecutionResult

from auth.viewer import AssuranceLevel, Viewer
from subgraphs import kit
from subgraphs.cpr import seed as cpr_seed
from subgraphs.cpr.relations import load_relations
from subgraphs.cpr.schema import subgraph
from subgraphs.gazetteer import MUNICIPALITIES
from subgraphs.population import TODAY, Address, Citizen, Household, persona
from tests.subgraphs import authorities


@pytest.fixture
def cpr(seeded: dict[str, kit.Database]) -> kit.Database:
    """The civil register's seeded database (SQLite, then PostgreSQL)."""
    return seeded["cpr"]


async def viewer_for(
    database: kit.Database,
    person_id: str,
    assurance: AssuranceLevel = AssuranceLevel.HIGH,
) -> Viewer:
    """The viewer signed in as ``person_id``, with relations from the register."""
    return Viewer(
        subject=f"test:{person_id}",
        person_id=person_id,
        assurance=assurance,
        relations=await load_relations(database, person_id, TODAY),
        today=TODAY,
    )


async def persona_viewer(database: kit.Database, name: str) -> Viewer:
    """The viewer signed in as the persona ``name``."""
    return await viewer_for(database, persona(name).person_id)


async def execute(
    database: kit.Database,
    viewer: Viewer,
    query: str,
    variables: dict[str, Any] | None = None,
) -> ExecutionResult:
    """Run ``query`` on the civil register as ``viewer``, with a fresh context."""
    return await subgraph.schema.execute(
        query,
        variable_values=variables,
        context_value=subgraph.make_context(viewer, database),
    )


def errors(result: ExecutionResult) -> list[tuple[list[Any] | None, str | None]]:
    """(path, code) of every error of ``result``."""
    return [(e.path, (e.extensions or {}).get("code")) for e in result.errors or []]


def _cpr(rng: random.Random, birth: date, sex: str) -> str:
    last = rng.choice("13579" if sex == "M" else "02468")
    day = f"{birth.day + 60:02d}{birth.month:02d}{birth.year % 100:02d}"
    return f"{day}-{rng.randrange(1000):03d}{last}"


def citizen(rng: random.Random, birth: date, sex: str, **fields: Any) -> Citizen:
    """A resident of Roskilde with the given fields; random id and CPR number."""
    defaults: dict[str, Any] = {
        "person_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "cpr": _cpr(rng, birth, sex),
        "first_names": "Karen" if sex == "F" else "Jens",
        "last_name": "Testesen",
        "sex": sex,
        "birth_date": birth,
        "address": None,
    }
    return authorities.citizen(**{**defaults, **fields})


@dataclass(frozen=True)
class Family:
    """A parent and their children, added to a seeded register for one test."""

    parent: Citizen
    children: tuple[Citizen, ...]


async def add_family(
    database: kit.Database,
    children: int,
    protected_children: bool = False,
    custody: bool = True,
) -> Family:
    """Insert a single parent with ``children`` children at one address."""
    rng = random.Random(uuid.uuid4().int)
    home = Address(
        address_id=str(uuid.uuid4()),
        street="Algade",
        house_number=str(rng.randint(1, 99)),
        floor=None,
        door=None,
        postcode="4000",
        city="Roskilde",
        municipality=MUNICIPALITIES["265"],
    )
    parent = citizen(rng, date(1980, 3, rng.randint(1, 28)), "F", address=home)
    kids = tuple(
        citizen(
            rng,
            date(2012 + i, rng.randint(1, 12), rng.randint(1, 28)),
            "M",
            address=home,
            parent_ids=(parent.person_id,),
            custody_holder_ids=(parent.person_id,) if custody else (),
            protections=("name_address",) if protected_children else (),
        )
        for i in range(children)
    )
    await insert_households(database, [Household((parent, *kids))])
    return Family(parent, kids)


async def insert_households(
    database: kit.Database, households: Sequence[Household]
) -> None:
    """Insert the civil register's rows of ``households``."""
    async with database.engine.begin() as connection:
        for table, rows in cpr_seed.rows(households).items():
            if rows:
                await connection.execute(insert(table), rows)
