"""Comparing the answers of two GraphQL endpoints over a corpus of operations.

A corpus is a list of :class:`Operation` (name, query, variables, headers; plain
4-tuples work too). :func:`collect` sends each operation to one endpoint and keeps
its :class:`Outcome`: the ``data`` as JSON, whether there were errors, and the set
of error paths. Messages are not compared: two routers word a failure differently,
but they must fail at the same places. :func:`differences` lines up two sets of
outcomes; :func:`compare_gateways` does it all for our gateway and Hive Gateway.
:func:`set_aside` separates the differences that a known defect of one side
explains (see :data:`tests.peers.hive.HIVE_DEFECTS`).
"""

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx

ACCEPT = "application/graphql-response+json, application/json;q=0.9"

PathKey = tuple[str | int, ...] | None
"""An error's path as a tuple; None for an error without a path."""


class Operation(NamedTuple):
    """One operation of a corpus."""

    name: str
    query: str
    variables: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = {}


@dataclass(frozen=True)
class Outcome:
    """What a GraphQL response says, in the terms the comparison uses.

    Attributes:
        data: The ``data`` member (None when absent or null).
        has_errors: Whether the response had a non-empty ``errors`` member.
        error_paths: The paths of the errors, as a set.
        status: The HTTP status code (kept for reports, not compared).
    """

    data: Any
    has_errors: bool
    error_paths: frozenset[PathKey] = field(default_factory=frozenset)
    status: int = 200


@dataclass(frozen=True)
class Difference:
    """A place where two outcomes of one operation disagree.

    Attributes:
        operation: The operation's name.
        aspect: ``data``, ``errors`` or ``missing``.
        detail: A sentence saying where and how they differ.
    """

    operation: str
    aspect: str
    detail: str

    def __str__(self) -> str:
        return f"{self.operation} ({self.aspect}): {self.detail}"


def outcome_of(payload: Mapping[str, Any], status: int = 200) -> Outcome:
    """The outcome of a GraphQL response body already decoded from JSON."""
    errors = payload.get("errors") or []
    paths = frozenset(
        tuple(error["path"]) if error.get("path") else None for error in errors
    )
    return Outcome(payload.get("data"), bool(errors), paths, status)


async def send(client: httpx.AsyncClient, url: str, operation: Operation) -> Outcome:
    """Post one operation to ``url`` and return its outcome."""
    body: dict[str, Any] = {"query": operation.query}
    if operation.variables is not None:
        body["variables"] = dict(operation.variables)
    headers = {"accept": ACCEPT, **operation.headers}
    response = await client.post(url, json=body, headers=headers)
    return outcome_of(response.json(), response.status_code)


async def collect(
    url: str,
    corpus: Iterable[Operation | tuple[Any, ...]],
    *,
    client: httpx.AsyncClient | None = None,
) -> dict[str, Outcome]:
    """Send every operation of ``corpus`` to ``url``, one after another.

    Returns:
        The outcomes by operation name, in corpus order.
    """
    operations = [Operation(*entry) for entry in corpus]
    names = [operation.name for operation in operations]
    if len(set(names)) != len(names):
        raise ValueError(f"The operation names of a corpus must be unique: {names}.")
    async with AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(
                httpx.AsyncClient(timeout=10.0, trust_env=False)
            )
        return {op.name: await send(client, url, op) for op in operations}


def first_data_difference(left: Any, right: Any, path: str = "data") -> str | None:
    """The first place where two JSON values differ, as a sentence; None if equal."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in [*left, *(key for key in right if key not in left)]:
            if key not in left or key not in right:
                side = "left" if key in left else "right"
                return f"{path}.{key} is present only on the {side}."
            found = first_data_difference(left[key], right[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return (
                f"{path} has {len(left)} items on the left, {len(right)} on the right."
            )
        for index, (one, other) in enumerate(zip(left, right, strict=True)):
            found = first_data_difference(one, other, f"{path}[{index}]")
            if found:
                return found
        return None
    if _number(left) and _number(right):
        # One JSON number: Node.js writes the Float 7.0 as 7, Python as 7.0.
        if left != right:
            return f"{path} is {left!r} on the left and {right!r} on the right."
        return None
    if left != right or type(left) is not type(right):
        return f"{path} is {left!r} on the left and {right!r} on the right."
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare_outcomes(name: str, left: Outcome, right: Outcome) -> list[Difference]:
    """The differences between two outcomes of the operation ``name``."""
    found: list[Difference] = []
    detail = first_data_difference(left.data, right.data)
    if detail:
        found.append(Difference(name, "data", detail))
    if left.has_errors != right.has_errors or left.error_paths != right.error_paths:
        only_left = sorted(map(str, left.error_paths - right.error_paths))
        only_right = sorted(map(str, right.error_paths - left.error_paths))
        found.append(
            Difference(
                name,
                "errors",
                f"errors on the left: {left.has_errors}, on the right: "
                f"{right.has_errors}; paths only on the left: {only_left}, "
                f"only on the right: {only_right}.",
            )
        )
    return found


def differences(
    left: Mapping[str, Outcome], right: Mapping[str, Outcome]
) -> list[Difference]:
    """The differences between two sets of outcomes, operation by operation."""
    found: list[Difference] = []
    for name in [*left, *(name for name in right if name not in left)]:
        if name not in left or name not in right:
            side = "left" if name in left else "right"
            found.append(Difference(name, "missing", f"Only the {side} has it."))
            continue
        found.extend(compare_outcomes(name, left[name], right[name]))
    return found


async def compare_endpoints(
    left_url: str, right_url: str, corpus: Sequence[Operation | tuple[Any, ...]]
) -> list[Difference]:
    """Send ``corpus`` to two endpoints and return where their answers differ."""
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
        left = await collect(left_url, corpus, client=client)
        right = await collect(right_url, corpus, client=client)
    return differences(left, right)


async def compare_gateways(
    ours_url: str, hive_url: str, corpus: Sequence[Operation | tuple[Any, ...]]
) -> list[Difference]:
    """Where our gateway (left) and Hive Gateway (right) answer ``corpus`` apart.

    Both must serve the same supergraph over the same subgraphs. An empty list
    means identical ``data`` and identical error paths for every operation.
    """
    return await compare_endpoints(ours_url, hive_url, corpus)


@dataclass(frozen=True)
class Known:
    """A difference explained by a known defect of one side.

    Attributes:
        operation: The operation's name.
        aspect: ``data`` or ``errors``.
        reason: The defect, with a reference to its report.
    """

    operation: str
    aspect: str
    reason: str


def set_aside(
    found: Iterable[Difference], known: Iterable[Known]
) -> tuple[list[Difference], list[Difference]]:
    """Split ``found`` into (unexplained, explained by ``known``).

    A test asserts that the first list is empty and that the second holds what
    ``known`` names, so that an excuse goes stale loudly once the defect is fixed.
    """
    keys = {(entry.operation, entry.aspect) for entry in known}
    unexplained: list[Difference] = []
    explained: list[Difference] = []
    for difference in found:
        key = (difference.operation, difference.aspect)
        (explained if key in keys else unexplained).append(difference)
    return unexplained, explained


def report(found: Sequence[Difference]) -> str:
    """The differences as lines of text, for an assertion message."""
    return "\n".join(str(difference) for difference in found) or "no differences"
