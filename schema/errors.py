"""Errors of the schema package.

    SchemaError                  base, carries a stable ``code``
    ├── CompositionFailed        the subgraphs do not compose; holds every error
    └── SupergraphError          INVALID_SUPERGRAPH: a supergraph SDL we cannot use

Composition itself does not raise: :func:`schema.compose.compose` returns every
:class:`CompositionError` it finds, each a sentence with a stable code that names
the subgraphs and schema coordinates involved.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CompositionError:
    """One reason why subgraphs do not compose.

    Attributes:
        code: a stable upper-case code, e.g. ``FIELD_TYPE_MISMATCH``.
        message: a sentence naming the subgraphs, types and fields involved.
        subgraphs: the names of the subgraphs involved.
        coordinates: the schema coordinates involved (``Type``, ``Type.field``).
    """

    code: str
    message: str
    subgraphs: tuple[str, ...] = ()
    coordinates: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, object]:
        """The error as JSON-ready data."""
        return {
            "code": self.code,
            "message": self.message,
            "subgraphs": list(self.subgraphs),
            "coordinates": list(self.coordinates),
        }


class SchemaError(Exception):
    """Base of the errors of the schema package."""

    code = "SCHEMA_ERROR"


class CompositionFailed(SchemaError):
    """Subgraphs that do not compose, with every error that composition found."""

    code = "COMPOSITION_FAILED"

    def __init__(self, errors: Sequence[CompositionError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0].message if self.errors else "no reason was given."
        count = len(self.errors)
        super().__init__(f"The subgraphs do not compose ({count} errors): {first}")


class SupergraphError(SchemaError):
    """A supergraph SDL that cannot be read or yields no valid API schema."""

    code = "INVALID_SUPERGRAPH"
