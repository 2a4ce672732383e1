"""The subgraph kit: checked entity representations, batching, error logging,
reading."""

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import strawberry
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from strawberry.types import Info

from auth.viewer import AssuranceLevel, Viewer
from subgraphs import kit
from tests.subgraphs.authorities import statements


@dataclass
class Context:
    calls: list[list[str]]
    loader: Any = None


async def load_pets(keys: list[str], calls: list[list[str]]) -> list["Pet | None"]:
    calls.append(list(keys))
    return [None if k == "gone" else Pet(pet_id=strawberry.ID(k)) for k in keys]


@strawberry.federation.type(keys=["petId", "owner kind"])
class Pet:
    pet_id: strawberry.ID
    owner: str | None = None
    kind: str | None = None
    weight: float | None = strawberry.federation.field(default=None, external=True)

    @classmethod
    async def resolve_reference(
        cls,
        info: Info[Context, None],
        pet_id: str | None = None,
        owner: str | None = None,
        kind: str | None = None,
        weight: float | None = None,
    ) -> "Pet | None":
        if pet_id == "boom":
            raise RuntimeError("database password is hunter2")
        if pet_id is None:
            return cls(pet_id=strawberry.ID(f"{owner}/{kind}"), owner=owner, kind=kind)
        result: Pet | None = await info.context.loader.load(pet_id)
        return result


@strawberry.federation.type(keys=["code"])
class Tag:
    code: str


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hello"


schema = kit.Schema(query=Query, types=[Pet, Tag])

QUERY = """
query ($reps: [_Any!]!) { _entities(representations: $reps) {
    ... on Pet { petId owner kind } ... on Tag { code }
} }
"""


async def entities(reps: list[Any], max_batch_size: int = 500) -> tuple[Any, Context]:
    context = Context(calls=[])

    async def batch(keys: list[str]) -> list[Pet | None]:
        return await load_pets(keys, context.calls)

    context.loader = kit.loader(batch, max_batch_size=max_batch_size)
    result = await schema.execute(
        QUERY, variable_values={"reps": reps}, context_value=context
    )
    return result, context


def codes(result: Any) -> list[tuple[list[Any], str]]:
    return [(e.path, e.extensions["code"]) for e in result.errors or []]


async def test_good_representations_resolve_in_order_in_one_batch() -> None:
    reps = [
        {"__typename": "Pet", "petId": "b"},
        {"__typename": "Tag", "code": "x"},
        {"__typename": "Pet", "petId": "a"},
        {"__typename": "Pet", "owner": "ann", "kind": "cat"},
        {"__typename": "Pet", "petId": "c", "weight": 4.5},
        {"__typename": "Pet", "petId": "gone"},
    ]

    result, context = await entities(reps)

    assert result.errors is None
    assert result.data["_entities"] == [
        {"petId": "b", "owner": None, "kind": None},
        {"code": "x"},
        {"petId": "a", "owner": None, "kind": None},
        {"petId": "ann/cat", "owner": "ann", "kind": "cat"},
        {"petId": "c", "owner": None, "kind": None},
        None,
    ]
    assert context.calls == [["b", "a", "c", "gone"]]


@pytest.mark.parametrize(
    ("rep", "words"),
    [
        ({"__typename": "Dog", "petId": "a"}, ["'Dog'", "not an entity"]),
        ({"__typename": "Query", "hello": "x"}, ["'Query'", "not an entity"]),
        ({"__typename": "Pet"}, ["'Pet'", "lacks the key field 'petId'"]),
        ({"__typename": "Pet", "owner": "ann"}, ["'Pet'", "lacks the key field"]),
        ({"__typename": "Pet", "petId": "a", "colour": "red"}, ["'colour'"]),
        ({"__typename": "Pet", "petId": {"nested": 1}}, ["'petId'", "scalar"]),
        ({"petId": "a"}, ["no __typename"]),
        ({"__typename": 7, "petId": "a"}, ["no __typename"]),
        ("Pet:a", ["not an object"]),
        ([1, 2], ["not an object"]),
    ],
)
async def test_a_bad_representation_nulls_only_its_item(
    rep: Any, words: list[str]
) -> None:
    reps = [
        {"__typename": "Pet", "petId": "a"},
        rep,
        {"__typename": "Tag", "code": "t"},
    ]

    result, _ = await entities(reps)

    assert result.data["_entities"][0] == {"petId": "a", "owner": None, "kind": None}
    assert result.data["_entities"][1] is None
    assert result.data["_entities"][2] == {"code": "t"}
    assert codes(result) == [(["_entities", 1], "BAD_REPRESENTATION")]
    message = result.errors[0].message
    assert message.endswith(".")
    for word in words:
        assert word in message
    assert "Pet(" not in message
    assert "kit" not in message


async def test_a_failing_resolver_leaks_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        result, _ = await entities([{"__typename": "Pet", "petId": "boom"}])

    assert result.data == {"_entities": [None]}
    assert codes(result) == [(["_entities", 0], "INTERNAL_SERVER_ERROR")]
    assert "hunter2" not in result.errors[0].message
    assert "RuntimeError" not in result.errors[0].message
    logged = [r for r in caplog.records if "reference failed" in r.getMessage()]
    assert [r.getMessage() for r in logged] == [
        "Resolving a Pet reference failed with RuntimeError."
    ]
    assert all(r.exc_info is None for r in logged)
    assert "hunter2" not in caplog.text


async def test_loader_splits_large_batches() -> None:
    reps = [{"__typename": "Pet", "petId": str(i)} for i in range(7)]

    result, context = await entities(reps, max_batch_size=3)

    assert result.errors is None
    assert [len(call) for call in context.calls] == [3, 3, 1]


async def test_expected_errors_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="strawberry.execution"):
        await entities([{"__typename": "Dog"}])

    assert not [r for r in caplog.records if r.name == "strawberry.execution"]


async def test_sqlite_file_reads_run_inline_and_see_committed_writes(
    tmp_path: Path,
) -> None:
    metadata = MetaData()
    notes = Table("notes", metadata, Column("id", Integer, primary_key=True))
    database = kit.Database.open(kit.sqlite_url(tmp_path, "notes"))
    try:
        await database.create_all(metadata)
        async with database.engine.begin() as connection:
            await connection.execute(insert(notes), [{"id": 1}, {"id": 2}])
        with statements(database) as seen:
            rows = await database.rows(select(notes.c.id).order_by(notes.c.id))
        assert [row["id"] for row in rows] == [1, 2]
        assert database.reader is not None
        assert len(seen) == 1
        async with database.engine.begin() as connection:
            await connection.execute(insert(notes), [{"id": 3}])
        rows = await database.rows(select(notes.c.id).order_by(notes.c.id))
        assert [row["id"] for row in rows] == [1, 2, 3]
    finally:
        await database.close()


async def test_in_memory_sqlite_reads_through_the_async_engine() -> None:
    metadata = MetaData()
    notes = Table("notes", metadata, Column("id", Integer, primary_key=True))
    database = kit.Database.open("sqlite+aiosqlite:///:memory:")
    try:
        assert database.reader is None
        await database.create_all(metadata)
        rows = await database.rows(select(notes.c.id))
        assert list(rows) == []
    finally:
        await database.close()


async def test_a_loader_is_made_per_context_on_first_use_and_batches() -> None:
    calls: list[list[str]] = []

    async def load_names(database: kit.Database, keys: list[str]) -> list[str]:
        calls.append(list(keys))
        return [key.upper() for key in keys]

    @dataclass(eq=False)
    class NamesContext(kit.SubgraphContext):
        names = kit.Loader(load_names)

    database = kit.Database.open("sqlite+aiosqlite:///:memory:")
    viewer = Viewer("s", None, AssuranceLevel.LOW)
    first, second = NamesContext(viewer, database), NamesContext(viewer, database)
    try:
        assert "names" not in vars(first)
        assert first.names is first.names
        assert first.names is not second.names
        found = await asyncio.gather(first.names.load("a"), first.names.load("b"))
    finally:
        await database.close()

    assert found == ["A", "B"]
    assert calls == [["a", "b"]]
    assert isinstance(NamesContext.names, kit.Loader)


async def test_processes_starting_together_create_the_tables_once(
    tmp_path: Path,
) -> None:
    for attempt in range(5):
        metadata = MetaData()
        for name in ("people", "homes", "payslips", "records"):
            Table(name, metadata, Column("id", Integer, primary_key=True))
        url = kit.sqlite_url(tmp_path / str(attempt), "fresh")
        databases = [kit.Database.open(url) for _ in range(4)]
        try:
            outcomes = await asyncio.gather(
                *(database.create_all(metadata) for database in databases),
                return_exceptions=True,
            )
            rows = await databases[0].rows(select(metadata.tables["people"]))
        finally:
            for database in databases:
                await database.close()

        assert outcomes == [None] * 4
        assert list(rows) == []


async def test_a_batch_loader_batches_a_turn_of_keys_and_remembers_them() -> None:
    calls: list[list[str]] = []

    async def upper(keys: list[str]) -> list[str]:
        calls.append(keys)
        return [key.upper() for key in keys]

    loader = kit.BatchLoader(upper, max_batch_size=2)
    first = await asyncio.gather(*(loader.load(k) for k in ["a", "b", "c", "a"]))
    again = await asyncio.gather(loader.load("c"), loader.load("d"))

    assert first == ["A", "B", "C", "A"]
    assert again == ["C", "D"]
    assert calls == [["a", "b"], ["c"], ["d"]]
    assert loader.load("b") is loader.load("b")


async def test_a_failed_batch_fails_each_of_its_keys_and_is_tried_again() -> None:
    attempts: list[list[str]] = []

    async def flaky(keys: list[str]) -> list[str]:
        attempts.append(keys)
        if len(attempts) == 1:
            raise OSError("the database went away")
        return keys

    loader = kit.BatchLoader(flaky)
    failed = await asyncio.gather(
        loader.load("x"), loader.load("y"), return_exceptions=True
    )

    assert [type(outcome) for outcome in failed] == [OSError, OSError]
    assert await loader.load("x") == "x"
    assert attempts == [["x", "y"], ["x"]]


async def test_a_batch_with_the_wrong_number_of_values_fails() -> None:
    async def short(keys: list[str]) -> list[str]:
        return keys[:1]

    loader = kit.BatchLoader(short)

    with pytest.raises(ValueError, match="2 keys returned 1 values"):
        await asyncio.gather(loader.load("a"), loader.load("b"))


async def test_a_cancelled_wait_for_a_key_leaves_the_others_waiting_for_it() -> None:
    async def slow_upper(keys: list[str]) -> list[str]:
        await asyncio.sleep(0.01)
        return [key.upper() for key in keys]

    loader = kit.BatchLoader(slow_upper)

    async def wait(key: str) -> str:
        return await loader.load(key)

    given_up = asyncio.create_task(wait("a"))
    waiting = asyncio.create_task(wait("a"))
    await asyncio.sleep(0)
    given_up.cancel()

    assert await waiting == "A"
    assert await loader.load("a") == "A"
    assert given_up.cancelled()


async def test_a_cancelled_batch_cancels_its_waits_and_is_tried_again() -> None:
    attempts: list[list[str]] = []

    async def cancelled_once(keys: list[str]) -> list[str]:
        attempts.append(keys)
        if len(attempts) == 1:
            raise asyncio.CancelledError
        return keys

    loader = kit.BatchLoader(cancelled_once)

    async with asyncio.timeout(1):
        outcome = await asyncio.gather(loader.load("x"), return_exceptions=True)
    assert isinstance(outcome[0], asyncio.CancelledError)
    assert await loader.load("x") == "x"


async def test_an_error_nulling_a_field_spares_loads_elsewhere_in_the_request() -> None:
    """graphql-core cancels the siblings of a failed non-null field: a sibling
    waiting for a key must not take down another field waiting for the same key."""

    async def slow_upper(keys: list[str]) -> list[str]:
        await asyncio.sleep(0.01)
        return [key.upper() for key in keys]

    @strawberry.type
    class Item:
        key: str

        @strawberry.field
        async def value(self, info: Info[Context, None]) -> str:
            loaded: str = await info.context.loader.load(self.key)
            return loaded

        @strawberry.field
        async def broken(self) -> str:
            raise ValueError("no value")

    @strawberry.type
    class Holder:
        @strawberry.field
        def item(self) -> Item:
            return Item(key="k")

    @strawberry.type
    class Query:
        @strawberry.field
        def first(self) -> Holder | None:
            return Holder()

        @strawberry.field
        def second(self) -> Item | None:
            return Item(key="k")

    schema = strawberry.Schema(query=Query)
    context = Context(calls=[], loader=kit.BatchLoader(slow_upper))

    result = await schema.execute(
        "{ first { item { value broken } } second { value } }", context_value=context
    )

    assert result.data == {"first": None, "second": {"value": "K"}}
    assert [error.path for error in result.errors or ()] == [
        ["first", "item", "broken"]
    ]
