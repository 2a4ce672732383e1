"""Trusted documents: loading and checking persisted-operation manifests.

Two formats are read:

- Apollo's persisted-query manifest, ``{"format": "apollo-persisted-query-manifest",
  "version": 1, "operations": [{"id", "name", "type", "body"}]}``, where ``id`` is
  the SHA-256 of ``body``;
- Relay's id-to-text map, ``{"<id>": "<text>"}``, where the id is the client's own
  (often an MD5 of the text).

Every entry is checked before anything is stored: ids and hashes agree, names and
types are present and match the body, and the body parses as an executable GraphQL
document. An error names the entry (its index and id) or the JSON line and column.
"""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    parse,
)

from persisted_queries.apq import sha256_hex, shown
from persisted_queries.errors import ManifestConflict, ManifestError, ManifestTooLarge

APOLLO_FORMAT = "apollo-persisted-query-manifest"
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
"""Default size limit of a manifest file; a portal's manifest is far smaller."""

MAX_ID_LENGTH = 200
APQ_SOURCE = "apq"
"""The source of documents registered by automatic persisted queries: untrusted."""

OPERATION_TYPES = ("query", "mutation", "subscription")
_CUSTOM_ID = re.compile(r"[A-Za-z0-9._~-]+")
_PREFIXED_ID = re.compile(r"x-[A-Za-z0-9._~-]+:[A-Za-z0-9._~-]+|sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class ManifestEntry:
    """One trusted document of a manifest."""

    id: str
    name: str | None
    operation_type: str | None
    body: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """The checked entries of one manifest; ``source`` is its name (the file name)."""

    source: str
    format: str
    entries: tuple[ManifestEntry, ...]


def valid_document_id(value: str) -> bool:
    """True for a document identifier of GraphQL over HTTP, Appendix A.

    A custom identifier is unreserved characters only; a prefixed one is
    ``sha256:<hex>`` or an application's ``x-name:payload``.
    """
    if not value or len(value) > MAX_ID_LENGTH:
        return False
    return bool(_CUSTOM_ID.fullmatch(value) or _PREFIXED_ID.fullmatch(value))


def load_manifest(
    path: Path, *, max_bytes: int = MAX_MANIFEST_BYTES, source: str | None = None
) -> Manifest:
    """Read and check the manifest file at ``path``.

    Raises:
        ManifestTooLarge: the file is over ``max_bytes``; it is not read.
        ManifestError: the file cannot be read, or an entry is malformed.
    """
    name = source or path.name
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(name, size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(
            f"The manifest {str(path)!r} cannot be read: {exc.strerror}.",
            manifest=name,
        ) from exc
    return parse_manifest(data, name, max_bytes=max_bytes)


def parse_manifest(
    data: bytes, source: str, *, max_bytes: int = MAX_MANIFEST_BYTES
) -> Manifest:
    """Check the manifest text ``data``; ``source`` names it in errors and the store.

    Raises:
        ManifestTooLarge: ``data`` is over ``max_bytes``.
        ManifestError: the text is not UTF-8 JSON of a known format, or an entry
            is malformed.
        ManifestConflict: one id appears twice with different texts.
    """
    if len(data) > max_bytes:
        raise _too_large(source, len(data), max_bytes)
    if source == APQ_SOURCE:
        raise ManifestError(
            f"A manifest cannot be named {APQ_SOURCE!r}; that name marks documents "
            "registered by automatic persisted queries.",
            manifest=source,
        )
    document = _decode(data, source)
    if not isinstance(document, Mapping):
        raise ManifestError(
            f"The manifest {source!r} must be a JSON object, not {shown(document)}.",
            manifest=source,
        )
    if "format" in document:
        entries = _apollo_entries(document, source)
        return Manifest(source, "apollo", _unique(entries))
    return Manifest(source, "relay", _unique(_relay_entries(document, source)))


def _too_large(source: str, size: int, limit: int) -> ManifestTooLarge:
    return ManifestTooLarge(
        f"The manifest {source!r} is {size} bytes, over the limit of {limit} bytes.",
        manifest=source,
        size=size,
        limit=limit,
    )


def _decode(data: bytes, source: str) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"The manifest {source!r} is not UTF-8 text: byte {exc.start} cannot be "
            "decoded.",
            manifest=source,
        ) from exc
    try:
        return json.loads(text, object_pairs_hook=_no_conflicting_keys(source))
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"The manifest {source!r} is not valid JSON: {exc.msg} at line "
            f"{exc.lineno}, column {exc.colno}.",
            manifest=source,
            line=exc.lineno,
            column=exc.colno,
        ) from exc


def _no_conflicting_keys(
    source: str,
) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """A JSON object hook that refuses a key given twice with different values."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result and result[key] != value:
                raise ManifestConflict(
                    f"The manifest {source!r} gives the key {key!r} twice, with "
                    "different values.",
                    manifest=source,
                    id=key,
                )
            result[key] = value
        return result

    return build


def _apollo_entries(document: Mapping[str, Any], source: str) -> list[ManifestEntry]:
    if document.get("format") != APOLLO_FORMAT:
        raise ManifestError(
            f"The manifest {source!r} has format {shown(document.get('format'))}; "
            f"the known format is {APOLLO_FORMAT!r}, or a Relay map without one.",
            manifest=source,
        )
    version = document.get("version")
    if type(version) is not int or version != 1:
        raise ManifestError(
            f"The manifest {source!r} has version {shown(version)}; only version 1 "
            "is known.",
            manifest=source,
        )
    operations = document.get("operations")
    if not isinstance(operations, list):
        raise ManifestError(
            f"The manifest {source!r} needs an 'operations' list, not "
            f"{shown(operations)}.",
            manifest=source,
        )
    return [_apollo_entry(item, index, source) for index, item in enumerate(operations)]


def _apollo_entry(item: object, index: int, source: str) -> ManifestEntry:
    where = f"Entry {index} of manifest {source!r}"
    if not isinstance(item, Mapping):
        raise _entry_error(f"{where} must be a JSON object, not {shown(item)}.", index)
    fields: dict[str, str] = {}
    for key in ("id", "name", "type", "body"):
        value = item.get(key)
        if not isinstance(value, str) or not value:
            raise _entry_error(
                f"{where} needs a non-empty string {key!r}, not {shown(value)}.",
                index,
            )
        fields[key] = value
    where = f"Entry {index} ({fields['id']}) of manifest {source!r}"
    body, name, kind = fields["body"], fields["name"], fields["type"]
    digest = sha256_hex(body)
    if fields["id"] != digest:
        raise _entry_error(
            f"{where} has an id that is not the SHA-256 of its body, {digest}.", index
        )
    if kind not in OPERATION_TYPES:
        raise _entry_error(
            f"{where} has type {shown(kind)}; use one of {', '.join(OPERATION_TYPES)}.",
            index,
        )
    operations = _operations(body, where, index)
    if len(operations) != 1:
        raise _entry_error(
            f"{where} must hold exactly one operation, not {len(operations)}.", index
        )
    operation = operations[0]
    found_name = operation.name.value if operation.name else None
    if found_name != name or operation.operation.value != kind:
        raise _entry_error(
            f"{where} says {kind} {name!r}, but its body holds "
            f"{operation.operation.value} {found_name!r}.",
            index,
        )
    return ManifestEntry(fields["id"], name, kind, body, digest)


def _relay_entries(document: Mapping[str, Any], source: str) -> list[ManifestEntry]:
    entries = []
    for index, (key, body) in enumerate(document.items()):
        where = f"Entry {index} ({shown(key)}) of manifest {source!r}"
        if not valid_document_id(key):
            raise _entry_error(
                f"{where} has an id that is not a document identifier: up to "
                f"{MAX_ID_LENGTH} letters, digits and '-._~', or 'sha256:<hex>'.",
                index,
            )
        if not isinstance(body, str) or not body:
            raise _entry_error(
                f"{where} must map to the document's text, not {shown(body)}.", index
            )
        digest = sha256_hex(body)
        if key.startswith("sha256:") and key != f"sha256:{digest}":
            raise _entry_error(
                f"{where} has an id that is not the SHA-256 of its text, {digest}.",
                index,
            )
        operations = _operations(body, where, index)
        if not operations:
            raise _entry_error(f"{where} holds no operation.", index)
        single = operations[0] if len(operations) == 1 else None
        name = single.name.value if single and single.name else None
        kind = single.operation.value if single else None
        entries.append(ManifestEntry(key, name, kind, body, digest))
    return entries


def _operations(body: str, where: str, index: int) -> list[OperationDefinitionNode]:
    try:
        document: DocumentNode = parse(body, no_location=False)
    except GraphQLSyntaxError as exc:
        location = exc.locations[0] if exc.locations else None
        at = f" at line {location.line}, column {location.column}" if location else ""
        raise _entry_error(
            f"{where} is not valid GraphQL: {exc.message.rstrip('.')}{at}.", index
        ) from exc
    for definition in document.definitions:
        if not isinstance(definition, ExecutableDefinitionNode):
            raise _entry_error(
                f"{where} holds a type system definition "
                f"({definition.kind.replace('_', ' ')}); a persisted document holds "
                "only operations and fragments.",
                index,
            )
    return [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def _entry_error(message: str, index: int) -> ManifestError:
    return ManifestError(message, entry=index)


def _unique(entries: list[ManifestEntry]) -> tuple[ManifestEntry, ...]:
    """The entries in order, each id once; a repeated Apollo id is a repeated
    entry, since the id is the body's hash."""
    by_id: dict[str, ManifestEntry] = {}
    for entry in entries:
        by_id.setdefault(entry.id, entry)
    return tuple(by_id.values())
