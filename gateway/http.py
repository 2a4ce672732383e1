"""The GraphQL-over-HTTP protocol: reading requests and writing responses.

Implements the parts of the GraphQL over HTTP specification (draft, 2025) that a
server owns: the request parameters of GET and POST requests, the ``Accept``
negotiation between ``application/graphql-response+json`` and ``application/json``,
and the shape of a response. Status codes are decided by the errors themselves
(:mod:`gateway.errors`); this module only reads and writes.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import (
    BadRequest,
    GatewayError,
    NotAcceptable,
    PayloadTooLarge,
    UnsupportedMediaType,
)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
HTML = "text/html"

PARAMETERS = ("query", "operationName", "variables", "extensions", "documentId")
"""The request parameters the server reads; others are ignored."""

NO_STORE = {"Cache-Control": "no-store"}
"""Responses carry personal data: no cache may keep them."""


@dataclass(frozen=True)
class GraphQLParams:
    """The parameters of one GraphQL request (GraphQL over HTTP, 5.1).

    Attributes:
        query: the document text, or None when a persisted query names it.
        operation_name: the operation to run, or None for the only one.
        variables: the raw variable values, not yet coerced.
        extensions: the request extensions (``persistedQuery``, ``queryPlan``).
        document_id: a trusted document's id, when the request names one.
        method: ``GET`` or ``POST``.
    """

    query: str | None
    operation_name: str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    extensions: Mapping[str, Any] = field(default_factory=dict)
    document_id: str | None = None
    method: str = "POST"


@dataclass(frozen=True, order=True)
class _Range:
    quality: float
    specificity: int
    media_type: str


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for item in accept.split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        quality, charset = 1.0, None
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"').lower()
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name == "charset":
                charset = value
        if charset not in (None, "utf-8", "utf8") or quality <= 0:
            continue
        media_range = media_range.lower()
        ranges.append(_Range(quality, _specificity(media_range), media_range))
    return ranges


def _specificity(media_range: str) -> int:
    """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
    if media_range == "*/*":
        return 0
    return 1 if media_range.endswith("/*") else 2


def _served(media_range: str) -> str | None:
    if media_range == GRAPHQL_RESPONSE_JSON:
        return GRAPHQL_RESPONSE_JSON
    if media_range in (JSON, "application/*", "*/*"):
        return JSON
    return None


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header (GraphQL over HTTP, 6.2).

    A missing header means ``application/json``, as do ``*/*`` and
    ``application/*``. Among acceptable types the highest quality wins, then the
    most specific range, then ``application/graphql-response+json``.

    Raises:
        NotAcceptable: when no range accepts either media type in UTF-8.
    """
    if accept is None or not accept.strip():
        return JSON
    candidates = [
        (r.quality, r.specificity, served == GRAPHQL_RESPONSE_JSON, served)
        for r in _ranges(accept)
        if (served := _served(r.media_type)) is not None
    ]
    if not candidates:
        raise NotAcceptable(
            f"The server answers in {GRAPHQL_RESPONSE_JSON} or {JSON} (UTF-8), "
            f"not in {accept!r}."
        )
    return max(candidates)[3]


def prefers_html(accept: str | None) -> bool:
    """True when a GET's ``Accept`` asks for a page (a browser) before JSON."""
    if not accept:
        return False
    best_html = best_json = 0.0
    for r in _ranges(accept):
        if r.media_type == HTML:
            best_html = max(best_html, r.quality)
        elif r.specificity > 0 and _served(r.media_type):
            best_json = max(best_json, r.quality)
    return best_html > 0 and best_html >= best_json


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read in chunks and abandoned as soon as it passes ``limit``.

    Raises:
        PayloadTooLarge: when ``Content-Length`` or the bytes received pass it.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request body is larger than {limit} bytes.")


def _check_content_type(content_type: str | None) -> None:
    if not content_type:
        raise UnsupportedMediaType(
            f"A POST request needs the header Content-Type: {JSON}."
        )
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    charsets = [
        value.strip().strip('"').lower()
        for name, _, value in (p.partition("=") for p in parameters)
        if name.strip().lower() == "charset"
    ]
    if media_type.lower() != JSON or any(c not in ("utf-8", "utf8") for c in charsets):
        raise UnsupportedMediaType(
            f"The request body must be {JSON} in UTF-8, not {content_type!r}."
        )


async def read_post(request: Request, limit: int) -> GraphQLParams:
    """The parameters of a POST request with a JSON body (GraphQL over HTTP, 5.3).

    Raises:
        UnsupportedMediaType: for a body that is not ``application/json``.
        PayloadTooLarge: for a body over ``limit`` bytes.
        BadRequest: for a body that is not a JSON object of valid parameters.
    """
    _check_content_type(request.headers.get("content-type"))
    body = await read_body(request, limit)
    if not body.strip():
        raise BadRequest("The request body is empty; send a JSON object.")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc.args[0]}.") from exc
    if not isinstance(payload, dict):
        raise BadRequest("The request body must be a JSON object.")
    return _params(payload, method="POST")


def read_get(request: Request) -> GraphQLParams:
    """The parameters of a GET request's query string (GraphQL over HTTP, 5.2).

    ``variables`` and ``extensions`` are JSON text in the query string.

    Raises:
        BadRequest: for a repeated parameter or JSON that does not parse.
    """
    payload: dict[str, Any] = {}
    for name in PARAMETERS:
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise BadRequest(f"The parameter {name!r} is given {len(values)} times.")
        if values:
            payload[name] = values[0]
    for name in ("variables", "extensions"):
        if name in payload:
            try:
                payload[name] = orjson.loads(payload[name])
            except orjson.JSONDecodeError as exc:
                raise BadRequest(
                    f"The parameter {name!r} is not valid JSON: {exc.args[0]}."
                ) from exc
    return _params(payload, method="GET")


def _optional(payload: Mapping[str, Any], name: str, kind: type) -> Any:
    value = payload.get(name)
    if value is not None and not isinstance(value, kind):
        expected = "a string" if kind is str else "a JSON object"
        raise BadRequest(
            f"The parameter {name!r} must be {expected}, not {_json_kind(value)}."
        )
    return value


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else "a string"


def _params(payload: Mapping[str, Any], *, method: str) -> GraphQLParams:
    query = _optional(payload, "query", str)
    extensions = _optional(payload, "extensions", dict) or {}
    document_id = _optional(payload, "documentId", str)
    if query is None and document_id is None and "persistedQuery" not in extensions:
        raise BadRequest("The request has no 'query' parameter.")
    return GraphQLParams(
        query=query,
        operation_name=_optional(payload, "operationName", str),
        variables=_optional(payload, "variables", dict) or {},
        extensions=extensions,
        document_id=document_id,
        method=method,
    )


def graphql_response(
    body: Mapping[str, Any],
    *,
    media_type: str,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A GraphQL response in ``media_type``, UTF-8, never stored by a cache."""
    return Response(
        orjson.dumps(body),
        status_code=status,
        headers={**NO_STORE, **(headers or {})},
        media_type=f"{media_type}; charset=utf-8",
    )


def error_response(error: GatewayError, media_type: str = JSON) -> Response:
    """The response to a request refused with ``error``, without a ``data`` entry."""
    return graphql_response(
        {"errors": error.errors},
        media_type=media_type,
        status=error.status_for(media_type),
        headers=error.headers,
    )
