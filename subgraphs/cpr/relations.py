"""The viewer's relations, as the gateway reads them from the civil register.

Over HTTP, the gateway sends :data:`VIEWER_RELATIONS_QUERY` to the civil
register once per request, as the signed-in person, and turns the answer into
:class:`auth.viewer.Relations` with :func:`relations_from_result`; every authority
then decides access from those relations without asking the register itself.
In-process, :func:`load_relations` reads the same relations directly, with the
function that answers ``viewerRelations``.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from auth.viewer import ChildRelation, PowerOfAttorney, Relations
from subgraphs.cpr.loaders import read_relations
from subgraphs.kit import Database

VIEWER_RELATIONS_QUERY = """
query ViewerRelations {
  viewerRelations {
    spouseId
    children { personId birthDate hasCustody }
    parentIds
    powers { grantorId scope validFrom validTo }
  }
}
"""
"""The operation that reads the viewer's spouse, children, parents and powers."""


class BadRelations(ValueError):
    """An answer to :data:`VIEWER_RELATIONS_QUERY` that is not shaped like one."""

    code = "BAD_RELATIONS"


def relations_from_result(data: Mapping[str, Any] | None) -> Relations:
    """Relations from the ``data`` of :data:`VIEWER_RELATIONS_QUERY`.

    A null ``viewerRelations`` (no person, or an unknown one) means no relations.
    """
    found = (data or {}).get("viewerRelations")
    if found is None:
        return Relations()
    try:
        children = tuple(
            ChildRelation(
                person_id=str(child["personId"]),
                birth_date=_date(child["birthDate"]),
                has_custody=bool(child["hasCustody"]),
            )
            for child in found["children"]
        )
        spouse = found["spouseId"]
        parents = tuple(str(parent) for parent in found["parentIds"])
        powers = tuple(_power(power) for power in found["powers"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRelations("The civil register's relations are malformed.") from exc
    return Relations(
        spouse_id=str(spouse) if spouse else None,
        children=children,
        parent_ids=parents,
        powers=powers,
    )


def _power(found: Mapping[str, Any]) -> PowerOfAttorney:
    ends = found["validTo"]
    return PowerOfAttorney(
        grantor_id=str(found["grantorId"]),
        scope=frozenset(str(authority) for authority in found["scope"]),
        valid_from=_date(found["validFrom"]),
        valid_to=None if ends is None else _date(ends),
    )


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def load_relations(
    database: Database, person_id: str, today: date | None = None
) -> Relations:
    """The relations of ``person_id``, read in-process from the civil register;
    none for an unknown person."""
    found = await read_relations(database, person_id, today or date.today())
    return found or Relations()
