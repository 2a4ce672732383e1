"""The civil register's federation subgraph: Person, Spouse and Child.

Root fields: ``me`` (the signed-in person, or the person they act for),
``person(personId)`` (only the viewer, their spouse, their children and the person
they act for; everyone else is NOT_FOUND, exactly like an unknown id) and the
``@inaccessible`` ``viewerRelations`` that the gateway reads once per request to
build :class:`auth.viewer.Relations`.
"""

import strawberry

from subgraphs import kit
from subgraphs.cpr.loaders import CprContext, read_relations
from subgraphs.cpr.models import metadata
from subgraphs.cpr.types import (
    Child,
    Context,
    Person,
    Spouse,
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
        relations = await read_relations(
            info.context.database, viewer.person_id, viewer.today
        )
        return None if relations is None else ViewerRelations.of(relations)


schema = kit.Schema(query=Query, types=[Person, Spouse, Child])

subgraph = kit.Subgraph(
    name="cpr", schema=schema, metadata=metadata, make_context=CprContext
)
