"""The viewer's relations, as the gateway reads them from the civil register.

The gateway sends :data:`VIEWER_RELATIONS_QUERY` to the civil register once per
request, as the signed-in person, and turns the answer into
:class:`auth.viewer.Relations` with :func:`relations_from_result`; every authority
then decides access from those relations without asking the register itself.
:func:`load_relations` does both in-process.
"""

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

import graphql

from auth.viewer import (
    AssuranceLevel,
    ChildRelation,
    PowerOfAttorney,
    Relations,
    Viewer,
)
from subgraphs.cpr.schema import subgraph
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


@functools.cache
def _relations_document() -> graphql.DocumentNode:
    """:data:`VIEWER_RELATIONS_QUERY`, parsed and validated once per process:
    the gateway reads relations on every request."""
    document = graphql.parse(VIEWER_RELATIONS_QUERY)
    errors = graphql.validate(subgraph.schema._schema, document)
    if errors:
        raise BadRelations(f"The relations query is not valid: {errors[0].message}")
    return document


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def load_relations(
    database: Database, person_id: str, today: date | None = None
) -> Relations:
    """The relations of ``person_id``, read in-process from the civil register."""
    viewer = Viewer(
        subject=f"relations:{person_id}",
        person_id=person_id,
        assurance=AssuranceLevel.LOW,
        today=today or date.today(),
    )
    outcome = graphql.execute(
        subgraph.schema._schema,
        _relations_document(),
        context_value=subgraph.make_context(viewer, database),
    )
    result = outcome if isinstance(outcome, graphql.ExecutionResult) else await outcome
    if result.errors:
        raise BadRelations("The civil register did not answer the relations.")
    return relations_from_result(result.data)
