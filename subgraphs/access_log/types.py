"""The GraphQL types of the access log: entries, pages and its part of Person."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from auth.access_log import MAX_PAGE, LoggedAccess
from auth.policy import guarded
from subgraphs.access_log.loaders import AccessLogContext
from subgraphs.access_log.policies import OWN_LOG

DEFAULT_PAGE = 20


@strawberry.type(description="One time someone saw some of the person's data.")
class AccessLogEntry:
    cursor: str = strawberry.field(description="Pass as `after` for older entries.")
    viewed_at: datetime
    viewer_person_id: strawberry.ID | None = strawberry.field(
        description="The person who looked; null when the viewer named no person."
    )
    on_behalf_of: strawberry.ID | None = strawberry.field(
        description="The person the viewer acted for, if any."
    )
    fields: list[str] = strawberry.field(
        description="The fields seen, as schema coordinates (`Person.payslips`)."
    )
    operation_name: str | None
    document_hash: str = strawberry.field(
        description="The hash of the operation's document (its persisted id)."
    )

    @classmethod
    def from_logged(cls, logged: LoggedAccess) -> "AccessLogEntry":
        """The entry of a logged access."""
        entry = logged.entry
        return cls(
            cursor=logged.cursor,
            viewed_at=entry.viewed_at,
            viewer_person_id=_id(entry.viewer_person_id),
            on_behalf_of=_id(entry.on_behalf_of),
            fields=list(entry.fields),
            operation_name=entry.operation_name,
            document_hash=entry.document_hash,
        )


def _id(value: str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(value)


@strawberry.type(description="A page of the access log, newest first.")
class AccessLogPage:
    entries: list[AccessLogEntry]
    end_cursor: str | None
    has_next_page: bool


async def resolve_access_log(
    root: "Person",
    info: Info[AccessLogContext, None],
    first: int | None = DEFAULT_PAGE,
    after: str | None = None,
    include_own: bool | None = False,
) -> AccessLogPage | None:
    """Who saw the person's data, newest first."""
    page = await info.context.log.read(
        str(root.person_id),
        first=DEFAULT_PAGE if first is None else first,
        after=after,
        others_only=not include_own,
    )
    return AccessLogPage(
        entries=[AccessLogEntry.from_logged(item) for item in page.items],
        end_cursor=page.end_cursor,
        has_next_page=page.has_next_page,
    )


@strawberry.federation.type(keys=["personId"])
class Person:
    """A person of the civil register; any key resolves."""

    person_id: strawberry.ID
    access_log: AccessLogPage | None = strawberry.field(
        resolver=resolve_access_log,
        description=f"Who saw this person's data, newest first: `first` entries "
        f"(1-{MAX_PAGE}) after the cursor `after`; the person's own views only "
        "with `includeOwn`.",
        extensions=guarded(OWN_LOG),
    )

    @property
    def owner_id(self) -> str:
        """The person owns the log of accesses to their data."""
        return str(self.person_id)
