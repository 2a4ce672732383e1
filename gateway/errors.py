"""Errors of the gateway: what a request can do wrong before anything runs.

    GatewayError               base: a stable ``code``, an HTTP ``status``, headers
    ├── BadRequest             BAD_REQUEST (400): a request that is not well formed
    ├── Unauthenticated        UNAUTHENTICATED (401): a refused bearer token
    ├── Forbidden              FORBIDDEN (403): a viewer refused as a whole
    ├── MethodNotAllowed       METHOD_NOT_ALLOWED (405), with ``Allow``
    ├── NotAcceptable          NOT_ACCEPTABLE (406): no media type the client accepts
    ├── PayloadTooLarge        PAYLOAD_TOO_LARGE (413): a body over the size limit
    ├── UnsupportedMediaType   UNSUPPORTED_MEDIA_TYPE (415): a body that is not JSON
    ├── RequestError           a GraphQL request error of a well-formed request:
    │   │                      400 under application/graphql-response+json and 200
    │   │                      under application/json (GraphQL over HTTP, 6.4)
    │   ├── ParseFailed        GRAPHQL_PARSE_FAILED
    │   ├── ValidationFailed   GRAPHQL_VALIDATION_FAILED
    │   ├── LimitExceeded      DOCUMENT_TOO_LARGE, DEPTH_LIMIT_EXCEEDED, ...
    │   ├── OperationNotFound  OPERATION_RESOLUTION_FAILURE
    │   └── BadUserInput       BAD_USER_INPUT: variables that do not coerce
    └── InternalError          INTERNAL_SERVER_ERROR (500), always masked

Every error reaches the client as a GraphQL response ``{"errors": [...]}`` whose
errors carry the code in ``extensions.code``; nothing else about the server leaks.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLError


class GatewayError(Exception):
    """Base of the gateway's errors.

    Attributes:
        code: the stable code in ``extensions.code``.
        status: the HTTP status of the response.
        headers: extra response headers (``Allow``, ``WWW-Authenticate``).
        errors: the GraphQL errors of the response body, spec-shaped.
    """

    code = "GATEWAY_ERROR"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})
        self.errors = [dict(error) for error in errors] if errors else [self.error()]

    def error(self) -> dict[str, Any]:
        """This error as one GraphQL error dictionary."""
        return {"message": self.message, "extensions": {"code": self.code}}

    def status_for(self, media_type: str) -> int:
        """The HTTP status when the response is of ``media_type``."""
        return self.status


class BadRequest(GatewayError):
    """The request is not a well-formed GraphQL-over-HTTP request."""

    code = "BAD_REQUEST"
    status = 400


class Unauthenticated(GatewayError):
    """The bearer token was refused; the client has to sign in again."""

    code = "UNAUTHENTICATED"
    status = 401


class Forbidden(GatewayError):
    """The viewer may not use the graph at all."""

    code = "FORBIDDEN"
    status = 403


class MethodNotAllowed(GatewayError):
    """The method cannot be used for this request; ``Allow`` names those that can."""

    code = "METHOD_NOT_ALLOWED"
    status = 405

    def __init__(self, message: str, *, allow: Sequence[str]) -> None:
        super().__init__(message, headers={"Allow": ", ".join(allow)})


class NotAcceptable(GatewayError):
    """The client accepts none of the media types that GraphQL responses use."""

    code = "NOT_ACCEPTABLE"
    status = 406


class PayloadTooLarge(GatewayError):
    """The request body is larger than the limit."""

    code = "PAYLOAD_TOO_LARGE"
    status = 413


class UnsupportedMediaType(GatewayError):
    """The request body is not of a media type the server reads."""

    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415


class RequestError(GatewayError):
    """A GraphQL request error: the request was well formed, the operation is not.

    GraphQL over HTTP answers it with 200 under ``application/json`` and with 400
    under ``application/graphql-response+json``, and without a ``data`` entry.
    """

    code = "BAD_REQUEST"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.fixed_status = status
        super().__init__(message, headers=headers, errors=errors)

    def status_for(self, media_type: str) -> int:
        """200 under ``application/json``, 400 otherwise, unless fixed."""
        if self.fixed_status is not None:
            return self.fixed_status
        return 200 if media_type == "application/json" else self.status


class ParseFailed(RequestError):
    """The document is not valid GraphQL syntax."""

    code = "GRAPHQL_PARSE_FAILED"


class ValidationFailed(RequestError):
    """The document does not validate against the public schema."""

    code = "GRAPHQL_VALIDATION_FAILED"


class LimitExceeded(RequestError):
    """The document is too large, too deep, has too many aliases or costs too much.

    Attributes:
        limit: the configured limit.
        actual: what the document measured.
    """

    def __init__(self, message: str, *, code: str, limit: int, actual: int) -> None:
        self.limit = limit
        self.actual = actual
        super().__init__(message, code=code)

    def error(self) -> dict[str, Any]:
        """The error with the limit and the measured value in its extensions."""
        error = super().error()
        error["extensions"].update(limit=self.limit, actual=self.actual)
        return error


class OperationNotFound(RequestError):
    """The operation to run cannot be determined from the document and its name."""

    code = "OPERATION_RESOLUTION_FAILURE"


class BadUserInput(RequestError):
    """The variables do not coerce to the types the operation declares."""

    code = "BAD_USER_INPUT"


class InternalError(GatewayError):
    """Something failed that is not the client's fault; details stay in the log."""

    code = "INTERNAL_SERVER_ERROR"
    status = 500

    def __init__(self) -> None:
        super().__init__("The server failed to answer this request.")


def graphql_errors(errors: Sequence[GraphQLError], code: str) -> list[dict[str, Any]]:
    """Spec-shaped dictionaries of ``errors``, each with ``code`` if it has none."""
    shaped = []
    for error in errors:
        formatted: dict[str, Any] = {**error.formatted}
        extensions = dict(formatted.get("extensions") or {})
        extensions.setdefault("code", code)
        formatted["extensions"] = extensions
        shaped.append(formatted)
    return shaped
