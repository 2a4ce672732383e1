import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from auth.access_log import AccessLog, SeenFields, document_hash
from auth.viewer import AssuranceLevel, Relations, Viewer
from subgraphs import kit
from subgraphs.access_log.schema import subgraph

ME = str(uuid.uuid4())
SPOUSE = str(uuid.uuid4())
AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
QUERY = """
query Log($id: _Any!, $first: Int, $after: String, $own: Boolean) {
  _entities(representations: [$id]) {
    ... on Person {
      accessLog(first: $first, after: $after, includeOwn: $own) {
        entries { viewedAt viewerPersonId onBehalfOf fields operationName }
        endCursor
        hasNextPage
      }
    }
  }
}
"""


def viewer(person_id: str, spouse_id: str | None = None) -> Viewer:
    return Viewer(
        f"pairwise-{person_id[:4]}",
        person_id,
        AssuranceLevel.SUBSTANTIAL,
        relations=Relations(spouse_id=spouse_id),
    )


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[kit.Database]:
    database = kit.Database.open(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    log = AccessLog(database.engine)
    await log.create()
    for minutes, who in enumerate([ME, SPOUSE, SPOUSE]):
        seen = SeenFields()
        seen.add(ME, "Person.name")
        hashed = document_hash("{ me { name } }")
        at = AT + timedelta(minutes=minutes)
        await log.write_batch(seen.entries(viewer(who), hashed, "Dashboard", at=at))
    yield database
    await database.close()


async def run(database: kit.Database, who: Viewer, **variables: Any) -> dict[str, Any]:
    variables = {"id": {"__typename": "Person", "personId": ME}, **variables}
    result = await subgraph.schema.execute(
        QUERY,
        variable_values=variables,
        context_value=subgraph.make_context(who, database),
    )
    return {
        "data": result.data,
        "errors": [(e.path, e.extensions) for e in result.errors or ()],
    }


async def test_a_person_reads_who_else_saw_their_data(database: kit.Database) -> None:
    result = await run(database, viewer(ME))

    log = result["data"]["_entities"][0]["accessLog"]
    assert result["errors"] == []
    assert [e["viewerPersonId"] for e in log["entries"]] == [SPOUSE, SPOUSE]
    assert log["entries"][0] == {
        "viewedAt": "2026-12-04T09:32:00+00:00",
        "viewerPersonId": SPOUSE,
        "onBehalfOf": None,
        "fields": ["Person.name"],
        "operationName": "Dashboard",
    }
    assert not log["hasNextPage"]


async def test_pages_and_own_views(database: kit.Database) -> None:
    first = await run(database, viewer(ME), first=2, own=True)
    page = first["data"]["_entities"][0]["accessLog"]
    rest = await run(database, viewer(ME), first=2, own=True, after=page["endCursor"])

    older = rest["data"]["_entities"][0]["accessLog"]
    assert page["hasNextPage"]
    assert [e["viewerPersonId"] for e in older["entries"]] == [ME]


async def test_the_spouse_may_not_read_the_log(database: kit.Database) -> None:
    result = await run(database, viewer(SPOUSE, spouse_id=ME))

    assert result["data"] == {"_entities": [{"accessLog": None}]}
    assert result["errors"] == [(["_entities", 0, "accessLog"], {"code": "FORBIDDEN"})]


@pytest.mark.parametrize(("first", "after"), [(0, None), (500, None), (5, "nope")])
async def test_bad_paging_is_a_user_error(
    database: kit.Database, first: int, after: str | None
) -> None:
    result = await run(database, viewer(ME), first=first, after=after)

    assert result["data"] == {"_entities": [{"accessLog": None}]}
    assert [code["code"] for _, code in result["errors"]] == ["BAD_USER_INPUT"]
