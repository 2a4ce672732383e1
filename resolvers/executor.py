"""The federated executor: runs plans against subgraphs and shapes the response.

Fetches run in plan order, independent ones concurrently. An entity fetch
collects every object at its path, builds one representation per distinct object
(key and ``@requires`` fields), sends them in one ``_entities`` call and merges the
answers back. A subgraph that fails, times out or answers garbage costs only its
own fields: they become null, with errors at the client's paths that carry
``extensions.serviceName`` and a stable ``extensions.code``.

An optional :class:`Gate` (the citizen graph's is :class:`auth.gate.PolicyGate`)
spares fetches whose answer is already known: when it definitely denies every
field that a fetch would add for an object, that object's representation is not
sent (nor the fetch, when nothing is left) and each of those fields gets the error
the subgraph would have given, at the same place. What the gate decides for each
fetch of a plan is worked out once, when the fetch first runs.
"""

import asyncio
import logging
import re
import weakref
from collections.abc import Mapping
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from graphql import DocumentNode, GraphQLObjectType, GraphQLSchema

from auth.viewer import Viewer
from resolvers.plan import (
    INTROSPECTION,
    Fetch,
    Flatten,
    Parallel,
    Plan,
    PlanNode,
    RepField,
    RepSpec,
    Sequence,
)
from resolvers.plan_cache import DEFAULT_SIZE, PlanCache
from resolvers.planner import PlanningError, QueryPlanner
from resolvers.shaping import Failure, holds, shape
from resolvers.transports import (
    FetchRequest,
    FetchResult,
    SchemaTransport,
    SubgraphBadResponse,
    SubgraphTimeout,
    Transport,
    TransportError,
)
from schema.supergraph import Supergraph

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
"""Seconds a subgraph has for one fetch unless configured otherwise."""

_MISSING = object()

_CANONICAL = re.compile(r"_cg\d+_(.+)")
"""The canonical key of a field with arguments (see ``selection.Canonical``)."""


class FieldsGate(Protocol):
    """Decides whether a viewer is denied every one of some fields of an object.

    ``errors`` holds, per field in the order they were asked for, the error (a
    spec-shaped dict without ``path``) the subgraph gives when it denies it.
    """

    @property
    def errors(self) -> Seq[Mapping[str, Any]]: ...

    def denies(self, viewer: Viewer, representation: Mapping[str, Any] | None) -> bool:
        """True when every field is definitely denied (None: a root object)."""
        ...


class Gate(Protocol):
    """Refuses early what a subgraph is certain to deny."""

    def fields(
        self, graph: str, type_name: str, field_names: Seq[str], *, entity: bool
    ) -> FieldsGate | None:
        """A gate over these fields of one fetch, or None when it never denies all."""
        ...


@dataclass(frozen=True)
class _Gated:
    """A fetch's fields under a gate: canonical keys and the gate over them."""

    keys: tuple[str, ...]
    gate: FieldsGate


_UNGATED: dict[str, _Gated] = {}
"""What an executor without a gate holds for every fetch (never written to)."""


def field_name_of(key: str) -> str:
    """The schema field name of a canonical response key."""
    match = _CANONICAL.fullmatch(key)
    return match.group(1) if match else key


@dataclass
class Response:
    """A GraphQL response: ``data``, spec-shaped ``errors`` and ``extensions``."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)

    def formatted(self) -> dict[str, Any]:
        """The response as the JSON body sends it (empty parts left out)."""
        body: dict[str, Any] = {}
        if self.errors:
            body["errors"] = self.errors
        body["data"] = self.data
        if self.extensions:
            body["extensions"] = self.extensions
        return body


class FederatedExecutor:
    """Plans (with a cache) and executes operations over one supergraph.

    Args:
        supergraph: the loaded supergraph.
        transports: subgraph name -> transport; every subgraph needs one.
        timeouts: subgraph name -> seconds per fetch (default
            :data:`DEFAULT_TIMEOUT`).
        plan_cache_size: how many plans to keep.
        gate: refuses early what subgraphs are certain to deny; None fetches
            everything and lets the subgraphs decide.
    """

    def __init__(
        self,
        supergraph: Supergraph,
        transports: Mapping[str, Transport],
        *,
        timeouts: Mapping[str, float] | None = None,
        plan_cache_size: int = DEFAULT_SIZE,
        gate: Gate | None = None,
    ) -> None:
        missing = [name for name in supergraph.subgraphs if name not in transports]
        if missing:
            raise ValueError(f"No transport for the subgraphs {', '.join(missing)}.")
        self.supergraph = supergraph
        self.api_schema: GraphQLSchema = supergraph.api_schema
        self.planner = QueryPlanner(supergraph)
        self.plans = PlanCache(plan_cache_size)
        self.transports: dict[str, Transport] = dict(transports)
        self.transports[INTROSPECTION] = SchemaTransport(self.api_schema)
        self.timeouts = dict(timeouts or {})
        self.gate = gate
        self._gated: weakref.WeakKeyDictionary[Fetch, dict[str, _Gated]] = (
            weakref.WeakKeyDictionary()
        )

    def gated(self, fetch: Fetch) -> dict[str, _Gated]:
        """Type name -> the gate over the fields ``fetch`` adds there; {} for none.

        Worked out on the fetch's first run and kept as long as its plan is.
        """
        if self.gate is None:
            return _UNGATED
        found = self._gated.get(fetch)
        if found is None:
            found = self._gate_fetch(fetch)
            self._gated[fetch] = found
        return found

    def _gate_fetch(self, fetch: Fetch) -> dict[str, _Gated]:
        if self.gate is None or fetch.resolves_type or fetch.graph == INTROSPECTION:
            return {}
        found = {}
        for type_name, keys in fetch.top_fields.items():
            names = [field_name_of(key) for key in keys]
            gate = self.gate.fields(
                fetch.graph, type_name, names, entity=fetch.is_entity
            )
            if gate is not None:
                found[type_name] = _Gated(keys, gate)
        return found

    def plan(
        self, document: DocumentNode, operation_name: str | None, document_hash: str
    ) -> Plan:
        """The plan of an operation, from the cache when it is there.

        Raises:
            PlanningError: the operation cannot be planned.
        """
        plan = self.plans.get(document_hash, operation_name)
        if plan is None:
            plan = self.planner.plan(document, operation_name)
            self.plans.put(document_hash, operation_name, plan)
        return plan

    async def execute(
        self,
        document: DocumentNode,
        *,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        viewer: Viewer,
        document_hash: str,
        include_plan: bool = False,
    ) -> Response:
        """Execute a document already validated against :attr:`api_schema`."""
        try:
            plan = self.plan(document, operation_name, document_hash)
        except PlanningError as exc:
            error = {"message": str(exc), "extensions": {"code": exc.code}}
            return Response(data=None, errors=[error])
        values = {**plan.variable_defaults, **(variables or {})}
        run = _Run(self, plan, values, viewer)
        if plan.node is not None:
            await run.node(plan.node)
        root = self.api_schema.get_type(plan.root_type)
        assert isinstance(root, GraphQLObjectType)
        data, errors = shape(self.api_schema, root, plan.shape, run.data, values)
        extensions = {"queryPlan": plan.to_json()} if include_plan else {}
        return Response(data=data, errors=errors + run.unplaced, extensions=extensions)


def _service_error(error: Mapping[str, Any], graph: str) -> dict[str, Any]:
    extensions = error.get("extensions")
    extensions = dict(extensions) if isinstance(extensions, dict) else {}
    extensions.setdefault("code", "SUBGRAPH_ERROR")
    extensions["serviceName"] = graph
    message = error.get("message")
    return {
        "message": str(message or "The subgraph reported an error."),
        "extensions": extensions,
    }


class _Run:
    """The state of one execution: merged data and errors that found no place."""

    def __init__(
        self,
        executor: FederatedExecutor,
        plan: Plan,
        variables: Mapping[str, Any],
        viewer: Viewer,
    ) -> None:
        self.executor = executor
        self.plan = plan
        self.variables = variables
        self.viewer = viewer
        self.data: dict[str, Any] = {}
        self.unplaced: list[dict[str, Any]] = []

    async def node(self, node: PlanNode) -> None:
        if isinstance(node, Sequence):
            for child in node.nodes:
                await self.node(child)
        elif isinstance(node, Parallel):
            await asyncio.gather(*(self.node(child) for child in node.nodes))
        elif isinstance(node, Flatten):
            await self.entity_fetch(node.node.fetch)
        else:
            await self.root_fetch(node.fetch)

    async def call(self, fetch: Fetch, variables: dict[str, Any]) -> FetchResult:
        for name in fetch.variables:
            if name in self.variables:
                variables[name] = self.variables[name]
        operation = fetch.document.definitions[0]
        name_node = getattr(operation, "name", None)
        request = FetchRequest(
            subgraph=fetch.graph,
            document=fetch.document,
            text=fetch.text,
            variables=variables,
            viewer=self.viewer,
            operation_name=name_node.value if name_node else None,
        )
        timeout = self.executor.timeouts.get(fetch.graph, DEFAULT_TIMEOUT)
        transport = self.executor.transports[fetch.graph]
        try:
            async with asyncio.timeout(timeout):
                return await transport.fetch(request)
        except TimeoutError as exc:
            message = (
                f"The subgraph {fetch.graph} did not answer in {timeout:g} seconds."
            )
            raise SubgraphTimeout(fetch.graph, message) from exc

    async def fetch_or_failure(
        self, fetch: Fetch, variables: dict[str, Any]
    ) -> FetchResult | Failure:
        try:
            return await self.call(fetch, variables)
        except TransportError as exc:
            logger.warning("Fetch from subgraph %s failed: %s", fetch.graph, exc.code)
            error = {"message": str(exc), "extensions": {"code": exc.code}}
        except Exception as exc:
            # Only the type: an exception's message may carry personal data.
            name = type(exc).__name__
            logger.error("Fetch from subgraph %s failed with %s", fetch.graph, name)
            error = {
                "message": f"The subgraph {fetch.graph} failed.",
                "extensions": {"code": "SUBGRAPH_ERROR"},
            }
        return Failure([(_service_error(error, fetch.graph), ())])

    async def root_fetch(self, fetch: Fetch) -> None:
        if self.skipped(fetch):
            return
        gated = self.executor.gated(fetch).get(fetch.position_type)
        if gated is not None and gated.gate.denies(self.viewer, None):
            _refuse(self.data, gated, fetch.graph)
            return
        outcome = await self.fetch_or_failure(fetch, {})
        top = fetch.top_fields[fetch.position_type]
        if isinstance(outcome, Failure):
            _fail(self.data, top, outcome)
            return
        if outcome.data is not None:
            _merge(self.data, outcome.data)
        for error in outcome.errors:
            self.place_error(self.data, error.get("path"), error, fetch.graph, top)

    def skipped(self, fetch: Fetch) -> bool:
        """True when ``@skip``/``@include`` leave the fetch nothing to fetch."""
        return bool(fetch.run_if) and not any(
            holds(c, self.variables) for c in fetch.run_if
        )

    async def entity_fetch(self, fetch: Fetch) -> None:
        if self.skipped(fetch):
            return
        reps, owners = self.representations(fetch)
        if not reps:
            return
        outcome = await self.fetch_or_failure(
            fetch, {fetch.representations_variable: reps}
        )
        if not isinstance(outcome, Failure):
            entities = (outcome.data or {}).get("_entities")
            if outcome.data is not None and (
                not isinstance(entities, list) or len(entities) != len(reps)
            ):
                bad = SubgraphBadResponse(
                    fetch.graph,
                    f"The subgraph {fetch.graph} answered _entities wrongly.",
                )
                error = {"message": str(bad), "extensions": {"code": bad.code}}
                outcome = Failure([(_service_error(error, fetch.graph), ())])
        if isinstance(outcome, Failure):
            for group in owners:
                for target, type_name in group:
                    _fail(target, fetch.top_fields.get(type_name, ()), outcome)
            return
        self.merge_entities(fetch, outcome, entities or [], owners)

    def representations(
        self, fetch: Fetch
    ) -> tuple[list[dict[str, Any]], list[list[tuple[dict[str, Any], str]]]]:
        """One representation per distinct object, and the objects of each.

        Objects whose fields the gate refuses get the refusals in place and no
        representation.
        """
        reps: list[dict[str, Any]] = []
        owners: list[list[tuple[dict[str, Any], str]]] = []
        seen: dict[bytes, int] = {}
        gates = self.executor.gated(fetch)
        for target, type_name in self.targets(fetch):
            rep = _representation(target, fetch.reps[type_name])
            if rep is None:
                continue
            digest = orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
            index = seen.get(digest)
            if index is None:
                gated = gates.get(type_name)
                if gated is not None and gated.gate.denies(self.viewer, rep):
                    index = seen[digest] = _REFUSED
                else:
                    index = seen[digest] = len(reps)
                    reps.append(rep)
                    owners.append([])
            if index == _REFUSED:
                _refuse(target, gates[type_name], fetch.graph)
            else:
                owners[index].append((target, type_name))
        return reps, owners

    def merge_entities(
        self,
        fetch: Fetch,
        outcome: FetchResult,
        entities: list[Any],
        owners: list[list[tuple[dict[str, Any], str]]],
    ) -> None:
        for index, entity in enumerate(entities):
            if isinstance(entity, dict):
                for target, _ in owners[index]:
                    _merge(target, entity)
                    if fetch.resolves_type and entity.get("__typename"):
                        target["__typename"] = entity["__typename"]
        for error in outcome.errors:
            path = error.get("path")
            if (
                isinstance(path, list)
                and len(path) >= 2
                and path[0] == "_entities"
                and isinstance(path[1], int)
                and 0 <= path[1] < len(owners)
            ):
                for target, type_name in owners[path[1]]:
                    top = fetch.top_fields.get(type_name, ())
                    self.place_error(target, path[2:], error, fetch.graph, top)
            elif path:
                self.unplaced.append(_service_error(error, fetch.graph))
            else:
                shared = Failure([(_service_error(error, fetch.graph), ())])
                for group in owners:
                    for target, type_name in group:
                        _fail(target, fetch.top_fields.get(type_name, ()), shared)

    def targets(self, fetch: Fetch) -> list[tuple[dict[str, Any], str]]:
        nodes: list[Any] = [self.data]
        for segment in fetch.path:
            found: list[Any] = []
            for node in nodes:
                if segment == "@":
                    if isinstance(node, list):
                        found.extend(node)
                elif isinstance(node, dict):
                    value = node.get(segment)
                    if value is not None and not isinstance(value, Failure):
                        found.append(value)
            nodes = found
        result = []
        for node in nodes:
            if isinstance(node, dict):
                type_name = node.get("__typename") or fetch.position_type
                if type_name in fetch.reps:
                    result.append((node, type_name))
        return result

    def place_error(
        self,
        container: dict[str, Any],
        path: Any,
        error: Mapping[str, Any],
        graph: str,
        top: tuple[str, ...],
    ) -> None:
        """Put a subgraph error where its path ends in the merged data."""
        shaped = _service_error(error, graph)
        if not path:
            _fail(container, top, Failure([(shaped, ())]))
            return
        node: Any = container
        for position, segment in enumerate(path):
            rest = tuple(path[position + 1 :])
            if isinstance(node, dict) and isinstance(segment, str):
                value = node.get(segment)
            elif (
                isinstance(node, list)
                and isinstance(segment, int)
                and 0 <= segment < len(node)
            ):
                value = node[segment]
            else:
                break
            if value is None or isinstance(value, Failure):
                if isinstance(value, Failure):
                    value.entries.append((shaped, rest))
                else:
                    node[segment] = Failure([(shaped, rest)])
                return
            node = value
        self.unplaced.append(shaped)


_REFUSED = -1
"""The index of a representation that the gate refused."""


def _refuse(target: dict[str, Any], gated: _Gated, graph: str) -> None:
    """Each gated field of ``target`` becomes null with the subgraph's refusal."""
    for key, error in zip(gated.keys, gated.gate.errors, strict=True):
        if target.get(key) is None:
            target[key] = Failure([(_service_error(error, graph), ())])


def _fail(target: dict[str, Any], keys: tuple[str, ...], failure: Failure) -> None:
    for key in keys:
        if target.get(key) is None:
            target[key] = failure


def _merge(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        current = target.get(key, _MISSING)
        if current is _MISSING or current is None or isinstance(current, Failure):
            if value is not None or current is _MISSING:
                target[key] = value
        elif isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif (
            isinstance(current, list)
            and isinstance(value, list)
            and len(current) == len(value)
        ):
            for old, new in zip(current, value, strict=True):
                if isinstance(old, dict) and isinstance(new, dict):
                    _merge(old, new)


def _representation(target: Mapping[str, Any], spec: RepSpec) -> dict[str, Any] | None:
    projected = _project(target, spec.fields)
    if projected is None:
        return None
    return {"__typename": spec.typename, **projected}


def _project(
    source: Mapping[str, Any], fields: tuple[RepField, ...]
) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for item in fields:
        value = source.get(item.key, _MISSING)
        if value is _MISSING or isinstance(value, Failure):
            return None
        if item.sub is not None and value is not None:
            value = _project_value(value, item.sub)
            if value is _MISSING:
                return None
        result[item.name] = value
    return result


def _project_value(value: Any, fields: tuple[RepField, ...]) -> Any:
    if isinstance(value, list):
        items = [_project_value(v, fields) for v in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    if isinstance(value, dict):
        projected = _project(value, fields)
        return _MISSING if projected is None else projected
    return value
