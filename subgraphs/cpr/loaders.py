"""Per-request loaders of the civil register: one ``IN (...)`` query per batch.

A :class:`CprContext` serves exactly one request; its loaders cache what they
loaded for that request only and are never shared.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from auth.viewer import ChildRelation, PowerOfAttorney, Relations
from subgraphs import kit
from subgraphs.cpr.models import (
    addresses,
    parent_child,
    persons,
    powers_of_attorney,
    protections,
)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person's row (with the address's columns) and their protections."""

    row: kit.Row
    protections: tuple[kit.Row, ...]

    @property
    def person_id(self) -> str:
        """The person's key."""
        return str(self.row["person_id"])


_PEOPLE = (
    select(
        persons,
        addresses.c.street,
        addresses.c.house_number,
        addresses.c.floor,
        addresses.c.door,
        addresses.c.postcode,
        addresses.c.city,
        addresses.c.municipality_code,
        protections.c.kind.label("protection_kind"),
        protections.c.valid_from.label("protection_from"),
        protections.c.valid_to.label("protection_to"),
    )
    .select_from(
        persons.outerjoin(addresses).outerjoin(
            protections, protections.c.person_id == persons.c.person_id
        )
    )
    .where(persons.c.person_id.in_(kit.batch_keys()))
)

_CHILDREN = (
    select(
        parent_child.c.parent_id,
        parent_child.c.custody,
        persons.c.person_id,
        persons.c.cpr,
        persons.c.first_names,
        persons.c.middle_name,
        persons.c.last_name,
        persons.c.addressing_name,
        persons.c.birth_date,
    )
    .join(persons, persons.c.person_id == parent_child.c.child_id)
    .where(parent_child.c.parent_id.in_(kit.batch_keys()))
    .order_by(persons.c.birth_date, persons.c.person_id)
)

_PARENTS = (
    select(parent_child)
    .where(parent_child.c.child_id.in_(kit.batch_keys()))
    .order_by(parent_child.c.parent_id)
)

_POWERS = (
    select(powers_of_attorney)
    .where(powers_of_attorney.c.grantee_id.in_(kit.batch_keys()))
    .order_by(powers_of_attorney.c.valid_from, powers_of_attorney.c.power_id)
)


async def load_people(
    database: kit.Database, ids: list[str]
) -> list[PersonRecord | None]:
    """People by id with address and protections, in the order of ``ids``."""
    rows = await database.rows(_PEOPLE, {"keys": ids})
    records: dict[str, PersonRecord] = {}
    for row in rows:
        person_id = row["person_id"]
        known = records.get(person_id)
        found = (row,) if row["protection_kind"] is not None else ()
        if known is None:
            records[person_id] = PersonRecord(row, found)
        else:
            records[person_id] = PersonRecord(known.row, known.protections + found)
    return [records.get(i) for i in ids]


async def load_children(
    database: kit.Database, parent_ids: list[str]
) -> list[list[kit.Row]]:
    """Each parent's children (person rows plus ``custody``), oldest first."""
    rows = await database.rows(_CHILDREN, {"keys": parent_ids})
    return kit.grouped(parent_ids, rows, key=lambda row: row["parent_id"])


async def load_parents(
    database: kit.Database, child_ids: list[str]
) -> list[list[kit.Row]]:
    """Each child's parents: ``parent_id`` and ``custody``."""
    rows = await database.rows(_PARENTS, {"keys": child_ids})
    return kit.grouped(child_ids, rows, key=lambda row: row["child_id"])


async def load_powers(
    database: kit.Database, grantee_ids: list[str]
) -> list[list[kit.Row]]:
    """The powers of attorney each grantee holds, oldest first."""
    rows = await database.rows(_POWERS, {"keys": grantee_ids})
    return kit.grouped(grantee_ids, rows, key=lambda row: row["grantee_id"])


async def read_relations(
    database: kit.Database, person_id: str, today: date
) -> Relations | None:
    """The spouse, children, parents and powers of attorney held (those not ended
    on ``today``) of ``person_id``, as the access rules need them; None for an
    unknown person.

    Four look-ups by an indexed key, made directly: the gateway reads relations
    on every request, and ``viewerRelations`` answers from the same function.
    """
    [person] = await load_people(database, [person_id])
    if person is None:
        return None
    [children] = await load_children(database, [person_id])
    [parents] = await load_parents(database, [person_id])
    [powers] = await load_powers(database, [person_id])
    spouse = person.row["spouse_id"]
    return Relations(
        spouse_id=str(spouse) if spouse else None,
        children=tuple(
            ChildRelation(
                person_id=str(row["person_id"]),
                birth_date=row["birth_date"],
                has_custody=bool(row["custody"]),
            )
            for row in children
        ),
        parent_ids=tuple(str(row["parent_id"]) for row in parents),
        powers=tuple(
            PowerOfAttorney(
                grantor_id=str(row["grantor_id"]),
                scope=frozenset(str(row["scope"]).split()),
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
            )
            for row in powers
            if row["valid_to"] is None or today <= row["valid_to"]
        ),
    )


@dataclass(eq=False)
class CprContext(kit.SubgraphContext):
    """A request to the civil register, with its own loaders."""

    people = kit.Loader(load_people)
    children = kit.Loader(load_children)
    parents = kit.Loader(load_parents)
    powers = kit.Loader(load_powers)
