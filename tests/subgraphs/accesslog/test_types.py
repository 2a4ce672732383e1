"""How an access log entry names its viewer to the person who reads it."""

import uuid
from datetime import UTC, datetime

import pytest

from auth.access_log import AccessEntry
from auth.viewer import AssuranceLevel, Relations, Viewer
from subgraphs.accesslog.types import AccessLogEntry, ViewerRelation

READER = str(uuid.uuid4())
STRANGER = str(uuid.uuid4())
SPOUSE = str(uuid.uuid4())
SOMEONE_ELSE = str(uuid.uuid4())


def reader() -> Viewer:
    return Viewer(
        subject="reader",
        person_id=READER,
        assurance=AssuranceLevel.SUBSTANTIAL,
        relations=Relations(spouse_id=SPOUSE),
    )


def sight(viewer: str, on_behalf_of: str | None) -> AccessEntry:
    return AccessEntry(
        person_id=READER,
        viewer_subject="viewer",
        viewer_person_id=viewer,
        on_behalf_of=on_behalf_of,
        fields=("Person.payslips",),
        viewed_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
        operation_name=None,
        document_hash="0" * 64,
        request_id=str(uuid.uuid4()),
    )


@pytest.mark.parametrize(
    ("viewer", "on_behalf_of", "relation", "named", "behalf"),
    [
        (STRANGER, READER, ViewerRelation.OTHER, STRANGER, READER),
        (STRANGER, None, ViewerRelation.OTHER, None, None),
        (STRANGER, SOMEONE_ELSE, ViewerRelation.OTHER, None, None),
        (SPOUSE, None, ViewerRelation.SPOUSE, SPOUSE, None),
    ],
)
def test_whoever_acted_for_the_reader_is_named_and_strangers_are_not(
    viewer: str,
    on_behalf_of: str | None,
    relation: ViewerRelation,
    named: str | None,
    behalf: str | None,
) -> None:
    shown = AccessLogEntry.of(reader(), sight(viewer, on_behalf_of))

    assert shown.viewer_relation is relation
    assert shown.viewer_person_id == named
    assert shown.on_behalf_of == behalf
