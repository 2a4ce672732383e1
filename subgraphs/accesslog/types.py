"""The access log's GraphQL types: who saw the person's data, when and how.

An entry names the viewer by their relation to the reader (themself, spouse,
parent, child, other) and by person id only when the reader may know it already:
the reader themself, their own family, and whoever acted for the reader (through
custody or a power of attorney the reader granted). Everyone else is ``OTHER``
without an id.
"""

import enum
from datetime import datetime

import strawberry
from strawberry.types import Info

from auth.access_log import AccessEntry, AccessLogPage
from auth.policy import guarded
from auth.viewer import Viewer
from subgraphs.accesslog.loaders import AccessLogContext
from subgraphs.accesslog.policies import OWN_LOG

DEFAULT_PAGE = 20
"""Entries on a page when the client does not say."""


@strawberry.enum(description="How the viewer of an entry relates to the reader.")
class ViewerRelation(enum.Enum):
    SELF = "self"
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    OTHER = "other"


def _relation(reader: Viewer, viewer_person_id: str | None) -> ViewerRelation:
    if viewer_person_id is None:
        return ViewerRelation.OTHER
    if reader.is_self(viewer_person_id):
        return ViewerRelation.SELF
    if reader.relations.spouse_id == viewer_person_id:
        return ViewerRelation.SPOUSE
    if reader.relations.child(viewer_person_id) is not None:
        return ViewerRelation.CHILD
    if viewer_person_id in reader.relations.parent_ids:
        return ViewerRelation.PARENT
    return ViewerRelation.OTHER


@strawberry.type(description="One sight of the person's data.")
class AccessLogEntry:
    viewed_at: datetime
    viewer_relation: ViewerRelation = strawberry.field(
        description="How whoever saw the data relates to you."
    )
    viewer_person_id: strawberry.ID | None = strawberry.field(
        description="Who saw the data, when it is you, your family or someone "
        "acting for you; else null."
    )
    on_behalf_of: strawberry.ID | None = strawberry.field(
        description="Whom the viewer acted for, when it was you or your family."
    )
    fields: list[str] = strawberry.field(
        description="The schema coordinates returned, e.g. `Person.payslips`."
    )
    operation_name: str | None
    document_hash: str = strawberry.field(
        description="The SHA-256 of the operation's document."
    )

    @classmethod
    def of(cls, reader: Viewer, entry: AccessEntry) -> "AccessLogEntry":
        """The entry as ``reader`` may see it."""
        relation = _relation(reader, entry.viewer_person_id)
        # Whoever acted for the reader held the reader's custody or their power
        # of attorney: someone the reader chose or knows, and may see named.
        acted_for_reader = entry.on_behalf_of is not None and reader.is_self(
            entry.on_behalf_of
        )
        known = relation is not ViewerRelation.OTHER or acted_for_reader
        on_behalf = _relation(reader, entry.on_behalf_of)
        return cls(
            viewed_at=entry.viewed_at,
            viewer_relation=relation,
            viewer_person_id=strawberry.ID(entry.viewer_person_id)
            if known and entry.viewer_person_id
            else None,
            on_behalf_of=strawberry.ID(entry.on_behalf_of)
            if entry.on_behalf_of and on_behalf is not ViewerRelation.OTHER
            else None,
            fields=list(entry.fields),
            operation_name=entry.operation_name,
            document_hash=entry.document_hash,
        )


@strawberry.type(description="A page of the access log, newest first.")
class AccessLogConnection:
    entries: list[AccessLogEntry]
    has_next_page: bool
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to read the next page."
    )

    @classmethod
    def of(cls, reader: Viewer, page: AccessLogPage) -> "AccessLogConnection":
        """The page as ``reader`` may see it."""
        return cls(
            entries=[AccessLogEntry.of(reader, item.entry) for item in page.items],
            has_next_page=page.has_next_page,
            end_cursor=page.end_cursor,
        )


async def resolve_access_log(
    root: "Person",
    info: Info[AccessLogContext, None],
    first: int = DEFAULT_PAGE,
    after: str | None = None,
) -> AccessLogConnection:
    """A page of who saw this person's data, newest first."""
    page = await info.context.pages.load((str(root.person_id), first, after))
    return AccessLogConnection.of(info.context.viewer, page)


@strawberry.federation.type(keys=["personId"])
class Person:
    """A person of the civil register, as far as the access log knows them."""

    person_id: strawberry.ID
    access_log: AccessLogConnection | None = strawberry.field(
        resolver=resolve_access_log,
        description="Who saw your data, which fields, when and through which "
        "operation, newest first (at most 100 a page).",
        extensions=guarded(OWN_LOG),
    )

    @property
    def owner_id(self) -> str:
        """A person owns their own access log."""
        return str(self.person_id)
