"""The kit every authority's subgraph is built from.

It holds what is the same for all authorities: opening a database from a URL, the
per-request context, batched loading by key, a federation schema whose
``_entities`` checks every representation, and the :class:`Subgraph` descriptor
that the gateway and the command line work with. It knows no authority.

Errors of the kit reach the client with a stable ``extensions.code``:

    SubgraphError             base
    ├── BadRepresentation     BAD_REPRESENTATION: an ``_entities`` item is malformed
    └── NotFound              NOT_FOUND: no such entity, or none the viewer may see
"""

import asyncio
import inspect
import logging
import traceback
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, overload

import strawberry
from graphql import GraphQLError
from sqlalchemy import (
    Engine,
    Executable,
    MetaData,
    bindparam,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql.elements import BindParameter
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import External, Key
from strawberry.types import ExecutionContext, Info
from strawberry.types.base import StrawberryObjectDefinition

from auth.viewer import Viewer
from subgraphs.sqlite_reads import PRAGMAS, SqliteReader, Unprepared
from subgraphs.sqlite_reads import Row as Row

logger = logging.getLogger(__name__)

FEDERATION_VERSION = "2.9"
"""The Federation version subgraphs link: the newest every composer we run knows."""

DOCUMENT_CACHE_SIZE = 512
"""Parsed and validated documents a subgraph keeps, by their text."""

MAX_BATCH_SIZE = 500
"""Keys per ``IN (...)`` query; well under SQLite's limit on bound parameters."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def batch_keys() -> BindParameter[Any]:
    """The keys of one batch in ``IN (...)``, bound at each execution as ``keys``.

    Loaders build their statements once, at import, around this parameter: making
    a statement and its cache key costs several times what running it costs.
    """
    return bindparam("keys", expanding=True)


def sqlite_url(data_dir: Path | str, name: str) -> str:
    """The default database URL of a store: a SQLite file under ``data_dir``."""
    path = Path(data_dir).resolve() / f"{name}.db"
    return f"sqlite+aiosqlite:///{path}"


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


CREATE_ATTEMPTS = 3


async def create_tables(engine: AsyncEngine, metadata: MetaData) -> None:
    """Create the tables of ``metadata`` that do not exist yet, on ``engine``.

    Safe when several processes start on one fresh database at once: one may
    create a table between another's check and its ``CREATE``, which then fails;
    the next attempt finds the table and leaves it be.
    """
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            async with engine.begin() as connection:
                await connection.run_sync(metadata.create_all)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == CREATE_ATTEMPTS:
                raise
            logger.info("Tables were created concurrently; checking again.")
            await asyncio.sleep(0.05 * attempt)


@dataclass(eq=False)
class Database:
    """One authority's database: an async engine opened from a URL.

    Reads go through :meth:`rows`. On a SQLite file they run inline, on the event
    loop, as statements prepared once (:class:`~subgraphs.sqlite_reads.SqliteReader`;
    a statement it cannot prepare goes through a synchronous engine on the same
    file): a batched look-up by an indexed key takes tens of microseconds, less
    than handing it to aiosqlite's worker thread and back, which is what most of a
    request's database time went to. Writes, and every other database (PostgreSQL
    through asyncpg), use the async engine.
    """

    url: str
    engine: AsyncEngine
    reader: Engine | None = None
    prepared: SqliteReader | None = None

    @classmethod
    def open(cls, url: str, **engine_options: Any) -> "Database":
        """Open ``url`` (any SQLAlchemy async URL); nothing connects until used."""
        parsed = make_url(url)
        on_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (
            None,
            "",
            ":memory:",
        )
        if on_file:
            if not str(parsed.database).startswith("file:"):
                # A plain path's folder is made; a URI filename is taken as given.
                Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
            # SQLite has one writer at a time: connections beyond the pool would
            # only wait for the lock, and each costs a thread to open and close.
            engine_options.setdefault("max_overflow", 0)
        engine = create_async_engine(url, **engine_options)
        reader = prepared = None
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _tune_sqlite)
        if on_file:
            reader = create_engine(
                parsed.set(drivername="sqlite+pysqlite"), pool_size=1, max_overflow=4
            )
            event.listen(reader, "connect", _tune_sqlite)
            prepared = SqliteReader(reader)
        return cls(url=url, engine=engine, reader=reader, prepared=prepared)

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every engine that runs this database's statements, for instrumentation;
        prepared reads bypass them and are traced with ``prepared.traced``."""
        inline = (self.reader,) if self.reader is not None else ()
        return (self.engine.sync_engine, *inline)

    async def rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row]:
        """The rows of a read-only ``statement``, as mappings."""
        if self.prepared is not None:
            try:
                return self.prepared.rows(statement, parameters)
            except Unprepared:
                pass
        if self.reader is not None:
            with self.reader.connect() as connection:
                rows = connection.execute(statement, parameters).mappings().all()
                return cast(Sequence[Row], rows)
        async with self.engine.connect() as connection:
            result = await connection.execute(statement, parameters)
            return cast(Sequence[Row], result.mappings().all())

    async def create_all(self, metadata: MetaData) -> None:
        """Create the tables of ``metadata`` that do not exist yet."""
        await create_tables(self.engine, metadata)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.reader is not None:
            self.reader.dispose()
        if self.prepared is not None:
            self.prepared.close()


@dataclass(eq=False)
class SubgraphContext:
    """What one request hands to a subgraph: the viewer and the database.

    Authorities subclass it to add their per-request loaders. A context, and the
    loaders in it, serves exactly one request and is never shared.
    """

    viewer: Viewer
    database: Database


def ordered(
    keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]
) -> list[V | None]:
    """Rows in the order of ``keys``; None where no row has that key."""
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) for k in keys]


def grouped(
    keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]
) -> list[list[V]]:
    """Rows grouped per key, in the order of ``keys``; an empty list for none."""
    groups: dict[K, list[V]] = {k: [] for k in keys}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [groups[k] for k in keys]


class BatchLoader(Generic[K, V]):
    """Loads values by key in batches, one request's worth at a time.

    Every key asked for with :meth:`load` before the event loop's next turn goes
    to ``batch`` in one call (split at ``max_batch_size`` keys), which returns one
    value per key, in order. A loader serves one request and keeps what it loaded
    for that request only: a key loaded before gets the same (done) future. When a
    batch fails, each of its keys gets the exception and is forgotten, so that a
    later ``load`` of it tries again.

    Each wait for a key still in flight has its own future: graphql-core cancels
    the siblings of a field that fails, and a cancelled wait must not cancel the
    others waiting for the same key elsewhere in the request.
    """

    __slots__ = (
        "_followers",
        "_futures",
        "_queue",
        "_running",
        "batch",
        "max_batch_size",
    )

    def __init__(
        self,
        batch: Callable[[list[K]], Awaitable[Sequence[V]]],
        max_batch_size: int = MAX_BATCH_SIZE,
    ) -> None:
        self.batch = batch
        self.max_batch_size = max_batch_size
        self._futures: dict[K, asyncio.Future[V]] = {}
        # The other waits for a key in flight, each with a future of its own.
        self._followers: dict[K, list[asyncio.Future[V]]] = {}
        self._queue: list[K] = []
        # The loop keeps only weak references to tasks: these keep them alive.
        self._running: set[asyncio.Task[None]] = set()

    def load(self, key: K) -> "asyncio.Future[V]":
        """The value of ``key``, from the batch this key joins."""
        found = self._futures.get(key)
        if found is not None and found.done() and not found.cancelled():
            return found
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V] = loop.create_future()
        if found is not None:
            self._followers.setdefault(key, []).append(future)
            return future
        self._futures[key] = future
        self._queue.append(key)
        if len(self._queue) == 1:
            loop.call_soon(self._dispatch)
        return future

    def _dispatch(self) -> None:
        queue, self._queue = self._queue, []
        size = self.max_batch_size
        for start in range(0, len(queue), size):
            task = asyncio.ensure_future(self._run(queue[start : start + size]))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, keys: list[K]) -> None:
        try:
            values = await self.batch(keys)
            if len(values) != len(keys):
                raise ValueError(
                    f"A batch of {len(keys)} keys returned {len(values)} values."
                )
        except Exception as exc:
            for key in keys:
                for future in self._waits(key, self._futures.pop(key)):
                    if not future.done():
                        future.set_exception(exc)
            return
        except BaseException:
            # Cancelled (the loop shutting down, say): so are the waits for it.
            for key in keys:
                for future in self._waits(key, self._futures.pop(key)):
                    future.cancel()
            raise
        futures = self._futures
        for key, value in zip(keys, values, strict=True):
            future = futures[key]
            if future.cancelled():
                future = futures[key] = future.get_loop().create_future()
            future.set_result(value)
            if self._followers:
                for follower in self._followers.pop(key, ()):
                    if not follower.done():
                        follower.set_result(value)

    def _waits(self, key: K, first: "asyncio.Future[V]") -> "list[asyncio.Future[V]]":
        return [first, *self._followers.pop(key, ())]


def loader(
    batch: Callable[[list[K]], Awaitable[Sequence[V]]],
    max_batch_size: int = MAX_BATCH_SIZE,
) -> BatchLoader[K, V]:
    """A per-request loader over ``batch``, split to respect parameter limits."""
    return BatchLoader(batch, max_batch_size)


class Loader(Generic[K, V]):
    """A context's dataloader over ``load(database, keys)``, made on first use.

    Declared on a :class:`SubgraphContext` subclass (``people = Loader(load_people)``);
    each request's context gets its own loader the first time a resolver asks for
    it, so a request that never touches a table pays nothing for its loader.
    """

    def __init__(self, load: Callable[["Database", list[K]], Awaitable[list[V]]]):
        self.load = load
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, context: None, owner: type) -> "Loader[K, V]": ...

    @overload
    def __get__(self, context: "SubgraphContext", owner: type) -> BatchLoader[K, V]: ...

    def __get__(
        self, context: "SubgraphContext | None", owner: type
    ) -> "Loader[K, V] | BatchLoader[K, V]":
        if context is None:
            return self
        made: BatchLoader[K, V] = loader(partial(self.load, context.database))
        # Stored on the instance, which a non-data descriptor lets win next time.
        context.__dict__[self.name] = made
        return made


class SubgraphError(GraphQLError):
    """Base of the kit's errors; ``code`` lands in ``extensions.code``."""

    code = "SUBGRAPH_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class BadRepresentation(SubgraphError):
    """An entity representation that names no entity or does not match its key."""

    code = "BAD_REPRESENTATION"


class NotFound(SubgraphError):
    """Nothing by that key, or nothing the viewer may see: the two look the same."""

    code = "NOT_FOUND"


class _ResolveFailed(SubgraphError):
    code = "INTERNAL_SERVER_ERROR"


@dataclass(frozen=True)
class _Entity:
    """What ``_entities`` needs to know about one entity type."""

    origin: type
    keys: tuple[frozenset[str], ...]
    external: frozenset[str]
    python_names: dict[str, str]


def _parser_cache() -> ParserCache:
    return ParserCache(maxsize=DOCUMENT_CACHE_SIZE)


def _validation_cache() -> ValidationCache:
    return ValidationCache(maxsize=DOCUMENT_CACHE_SIZE)


class Schema(strawberry.federation.Schema):
    """A federation schema whose ``_entities`` checks each representation.

    A representation that is not an object, names no entity type of this subgraph,
    lacks a key field or carries a field that is neither a key nor ``@external``
    resolves to null for that item with one ``BAD_REPRESENTATION`` error; the other
    items resolve as usual and keep the order of the representations (Apollo
    Federation subgraph specification, ``Query._entities``).

    ``resolve_reference`` receives the key fields by their Python names (and
    ``info`` when it asks for it); it may be async and should load through the
    request's dataloaders so that one batch costs one query.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("federation_version", FEDERATION_VERSION)
        # Served over HTTP, a subgraph receives the same few fetch documents from
        # the gateway again and again: parse and validate each text once.
        kwargs["extensions"] = [
            *kwargs.get("extensions", ()),
            _parser_cache,
            _validation_cache,
        ]
        super().__init__(*args, **kwargs)

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        """Log unexpected errors only; those with a stable code are answers.

        Each is logged with its type, its path and where it was raised, never its
        message, which may hold personal data.
        """
        for error in errors:
            if _expected(error):
                continue
            original = error.original_error
            assert original is not None
            where = "".join(traceback.format_tb(original.__traceback__))
            logger.error(
                "A field at %s raised %s.\n%s",
                ".".join(str(p) for p in error.path or ()) or "the root",
                type(original).__name__,
                where.rstrip(),
            )

    async def entities_resolver(  # type: ignore[override]
        self, info: Info, representations: list[FederationAny]
    ) -> list[object]:
        results = [self._resolve_one(info, i, r) for i, r in enumerate(representations)]
        return list(await asyncio.gather(*results))

    async def _resolve_one(self, info: Info, index: int, representation: Any) -> Any:
        try:
            entity, kwargs = self._check(index, representation)
        except BadRepresentation as error:
            return error
        resolve = getattr(entity.origin, "resolve_reference", None)
        try:
            if resolve is None:
                return entity.origin(**kwargs)
            if _wants_info(resolve):
                kwargs["info"] = info
            result = resolve(**kwargs)
            return await result if inspect.isawaitable(result) else result
        except GraphQLError as error:
            return error
        except Exception as exc:
            # The type only: a message or traceback may carry personal data.
            logger.error(
                "Resolving a %s reference failed with %s.",
                entity.origin.__name__,
                type(exc).__name__,
            )
            return _ResolveFailed("The entity could not be resolved.")

    def _check(self, index: int, representation: Any) -> tuple[_Entity, dict[str, Any]]:
        if not isinstance(representation, dict):
            raise BadRepresentation(f"Representation {index} is not an object.")
        typename = representation.get("__typename")
        if not isinstance(typename, str):
            raise BadRepresentation(
                f"Representation {index} has no __typename naming its type."
            )
        entity = self._entities().get(typename)
        if entity is None:
            raise BadRepresentation(
                f"The type {typename!r} of representation {index} is not an entity "
                "of this subgraph."
            )
        fields = set(representation) - {"__typename"}
        key = _matching_key(entity, fields)
        if key is None:
            raise BadRepresentation(_key_mismatch(typename, index, entity, fields))
        kwargs: dict[str, Any] = {}
        for name in fields:
            value = representation[name]
            if value is None or isinstance(value, dict | list):
                raise BadRepresentation(
                    f"The field {name!r} of representation {index} ({typename!r}) "
                    "must be a scalar value."
                )
            kwargs[entity.python_names.get(name, name)] = value
        return entity, kwargs

    def _entities(self) -> dict[str, _Entity]:
        cached: dict[str, _Entity] | None = self.__dict__.get("_entity_cache")
        if cached is None:
            cached = _entity_types(self)
            self.__dict__["_entity_cache"] = cached
        return cached


def _entity_types(schema: strawberry.federation.Schema) -> dict[str, _Entity]:
    converter = schema.config.name_converter
    entities: dict[str, _Entity] = {}
    for name, concrete in schema.schema_converter.type_map.items():
        definition = concrete.definition
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        keys = tuple(
            frozenset(str(d.fields).split())
            for d in definition.directives or ()
            if isinstance(d, Key)
        )
        if not keys:
            continue
        names = {converter.from_field(f): f.python_name for f in definition.fields}
        external = frozenset(
            converter.from_field(f)
            for f in definition.fields
            if any(isinstance(d, External) for d in f.directives or ())
        )
        entities[name] = _Entity(definition.origin, keys, external, names)
    return entities


def _matching_key(entity: _Entity, fields: set[str]) -> frozenset[str] | None:
    for key in entity.keys:
        if key <= fields and fields - key <= entity.external:
            return key
    return None


def _key_mismatch(typename: str, index: int, entity: _Entity, fields: set[str]) -> str:
    key = entity.keys[0]
    missing = sorted(key - fields)
    if missing:
        return (
            f"Representation {index} of {typename!r} lacks the key field "
            f"{missing[0]!r}."
        )
    extra = sorted(fields - key - entity.external)
    return (
        f"Representation {index} of {typename!r} has the field {extra[0]!r}, "
        "which is not a key field of that type."
    )


def _expected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return True  # a syntax or validation error of the request
    return isinstance(original, GraphQLError) and "code" in (original.extensions or {})


@cache
def _wants_info(function: Callable[..., Any]) -> bool:
    return "info" in inspect.signature(function).parameters


@dataclass(frozen=True, eq=False)
class Subgraph:
    """One authority's subgraph as the rest of the system sees it.

    Attributes:
        name: the authority's short name (``cpr``, ``skat``...).
        schema: its Strawberry federation schema.
        metadata: the SQLAlchemy tables of its database.
        make_context: builds a fresh per-request context for a viewer.
        store: the database it lives in, when not one of its own (the access
            log lives in the gateway's database).
    """

    name: str
    schema: strawberry.federation.Schema
    metadata: MetaData
    make_context: Callable[[Viewer, Database], SubgraphContext]
    store: str | None = None

    @property
    def database_name(self) -> str:
        """The name of the database this subgraph reads (settings key)."""
        return self.store or self.name

    @property
    def sdl(self) -> str:
        """The subgraph's federation SDL, as ``_service { sdl }`` returns it."""
        return self.schema.as_str()
