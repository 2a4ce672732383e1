"""The civil register's federation subgraph: Person, Spouse and Child.

Root fields: ``me`` (the signed-in person), ``person(personId)`` (only the viewer,
their spouse and their children; everyone else is NOT_FOUND, exactly like an
unknown id) and the ``@inaccessible`` ``viewerRelations`` that the gateway reads
once per request to build :class:`auth.viewer.Relations`.
"""

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
    ViewerRelations,
    load_person,
)


@strawberry.type
class Query:
    """The civil register's root fields."""

    @strawberry.field(description="The signed-in person; null without one.")
    async def me(self, info: Context) -> Person | None:
        """The viewer's own person, or null when the sign-in names none."""
        person_id = info.context.viewer.person_id
        if person_id is None:
            return None
        return await load_person(info, person_id)

    @strawberry.field(
        description="A person the viewer may see: themself, their spouse or a child."
    )
    async def person(self, info: Context, person_id: strawberry.ID) -> Person | None:
        """A person by key; NOT_FOUND alike for the unknown and the denied."""
        return await load_person(info, str(person_id))

    @strawberry.federation.field(inaccessible=True)
    async def viewer_relations(self, info: Context) -> ViewerRelations | None:
        """The viewer's spouse and children, read from the register itself."""
        person_id = info.context.viewer.person_id
        if person_id is None:
            return None
        person = await info.context.people.load(person_id)
        if person is None:
            return None
        rows = await info.context.children.load(person_id)
        children = [
            ViewerChild(
                person_id=strawberry.ID(row["person_id"]),
                birth_date=row["birth_date"],
                has_custody=row["custody"],
            )
            for row in rows
        ]
        spouse = person.row["spouse_id"]
        return ViewerRelations(
            spouse_id=strawberry.ID(spouse) if spouse else None, children=children
        )


schema = kit.Schema(query=Query, types=[Person, Spouse, Child])

subgraph = kit.Subgraph(
    name="cpr", schema=schema, metadata=metadata, make_context=CprContext
)
