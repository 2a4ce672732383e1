"""What a request has seen: the bridge from field guards to the access log.

The gateway opens a recorder around the execution of one request
(:func:`recording`); every guarded field that a subgraph in this process allows is
reported to it with :func:`record`. Tasks started inside the request inherit the
recorder, so parallel fetches report to the same one; other requests never see it.
A subgraph served over HTTP opens its own recorder per request and returns what it
recorded in the response's extensions (:data:`EXTENSION`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

EXTENSION = "accessed"
"""Response extension of a subgraph service: ``[[person_id, coordinate], ...]``."""


class Recorder(Protocol):
    """Anything that collects (person, schema coordinate) pairs."""

    def add(self, person_id: str, coordinate: str) -> None: ...


_current: ContextVar[Recorder | None] = ContextVar("access_recorder", default=None)


def record(person_id: str, coordinate: str) -> None:
    """Report that ``coordinate`` of ``person_id``'s data is being returned."""
    recorder = _current.get()
    if recorder is not None:
        recorder.add(person_id, coordinate)


@contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Send every :func:`record` inside the block (and its tasks) to ``recorder``."""
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)
