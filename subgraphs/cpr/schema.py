"""The civil register's federation subgraph: Person, Spouse and Child.

Root fields: ``me`` (the signed-in person, or the person they act for),
``person(personId)`` (only the viewer, their spouse, their children and the person
they act for; everyone else is NOT_FOUND, exactly like an unknown id) and the
``@inaccessible`` ``viewerRelations`` that the gateway reads once per request to
build :class:`auth.viewer.Relations`.
"""

from datetime import date

import strawberry

from subgraphs import kit
from subgraphs.cpr.loaders import CprContext
from subgraphs.cpr.models import metadata
from subgraphs.cpr.types import (
    Child,
    Context,
    Person,
    Spouse,
    ViewerChild,
    ViewerPower,
    ViewerRelations,
    load_person,
)


@strawberry.type
class Query:
    """The civil register's root fields."""

    @strawberry.field(
        description="The signed-in person, or the person they act for; null "
        "without one."
    )
    async def me(self, info: Context) -> Person | None:
        """The person the viewer acts for, else their own; null without one.

        Acting for someone changes whose data this is, not who sees it: every
        field is still decided for the signed-in viewer.
        """
        viewer = info.context.viewer
        if viewer.person_id is None:
            return None
        return await load_person(info, viewer.acting_for or viewer.person_id)

    @strawberry.field(
        description="A person the viewer may see: themself, their spouse or a child."
    )
    async def person(self, info: Context, person_id: strawberry.ID) -> Person | None:
        """A person by key; NOT_FOUND alike for the unknown and the denied."""
        return await load_person(info, str(person_id))

    @strawberry.federation.field(inaccessible=True)
    async def viewer_relations(self, info: Context) -> ViewerRelations | None:
        """The viewer's spouse, children, parents and the powers of attorney
        they hold that have not ended, read from the register itself."""
        viewer = info.context.viewer
        if viewer.person_id is None:
            return None
        person = await info.context.people.load(viewer.person_id)
        if person is None:
            return None
        children = await info.context.children.load(viewer.person_id)
        parents = await info.context.parents.load(viewer.person_id)
        powers = await info.context.powers.load(viewer.person_id)
        spouse = person.row["spouse_id"]
        return ViewerRelations(
            spouse_id=strawberry.ID(spouse) if spouse else None,
            children=[_viewer_child(row) for row in children],
            parent_ids=[strawberry.ID(row["parent_id"]) for row in parents],
            powers=[_power(row) for row in powers if _not_ended(row, viewer.today)],
        )


def _viewer_child(row: kit.Row) -> ViewerChild:
    return ViewerChild(
        person_id=strawberry.ID(row["person_id"]),
        birth_date=row["birth_date"],
        has_custody=row["custody"],
    )


def _not_ended(row: kit.Row, today: date) -> bool:
    return row["valid_to"] is None or today <= row["valid_to"]


def _power(row: kit.Row) -> ViewerPower:
    return ViewerPower(
        grantor_id=strawberry.ID(row["grantor_id"]),
        scope=str(row["scope"]).split(),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
    )


schema = kit.Schema(query=Query, types=[Person, Spouse, Child])

subgraph = kit.Subgraph(
    name="cpr", schema=schema, metadata=metadata, make_context=CprContext
)
