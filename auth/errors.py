"""Errors of the auth package.

    AuthError                   base, carries a stable ``code``
    ├── Forbidden               FORBIDDEN: a field the viewer may not see
    ├── Unauthenticated         UNAUTHENTICATED: no viewer, or a bad token; ``reason``
    │                           says which check failed
    ├── InvalidPage             BAD_USER_INPUT: a bad paging argument
    └── AccessLogUnavailable    ACCESS_LOG_UNAVAILABLE: the access log cannot be written

Each reaches the client as a GraphQL error with ``extensions.code``. Messages never
repeat a token, a key or a claim value; they name the check that failed.
"""

from typing import Any

from graphql import GraphQLError

REALM = "citizen-graph"
"""The protection space named in ``WWW-Authenticate`` (RFC 6750, section 3)."""

_REQUEST_ERRORS = frozenset({"malformed_header"})
"""Reasons that RFC 6750 calls ``invalid_request`` rather than ``invalid_token``."""


class AuthError(GraphQLError):
    """Base of the auth errors; ``code`` lands in ``extensions.code``."""

    code = "AUTH_ERROR"

    def __init__(self, message: str, **kwargs: Any) -> None:
        extensions = {"code": self.code, **kwargs.pop("extensions", {})}
        super().__init__(message, extensions=extensions, **kwargs)


class Forbidden(AuthError):
    """The viewer may not see this field; it resolves to null."""

    code = "FORBIDDEN"


class Unauthenticated(AuthError):
    """There is no signed-in viewer, or the token was refused.

    Attributes:
        reason: a stable, machine-readable name of the failed check, also in
            ``extensions.reason``: ``missing_token``, ``malformed_header``,
            ``malformed_token``, ``unsupported_algorithm``, ``unknown_key``,
            ``bad_signature``, ``expired``, ``not_yet_valid``, ``wrong_issuer``,
            ``wrong_audience``, ``missing_claim``, ``invalid_claim``,
            ``invalid_token`` (any other check of the token) or
            ``issuer_unavailable``.
    """

    code = "UNAUTHENTICATED"

    def __init__(
        self, message: str, reason: str = "missing_token", **kwargs: Any
    ) -> None:
        extensions = {"reason": reason, **kwargs.pop("extensions", {})}
        super().__init__(message, extensions=extensions, **kwargs)
        self.reason = reason

    @property
    def www_authenticate(self) -> str:
        """The ``WWW-Authenticate`` header value of the 401 (RFC 6750, section 3).

        A request without any token gets the bare challenge; every other refusal
        names ``invalid_request`` or ``invalid_token`` with this error's message.
        """
        challenge = f'Bearer realm="{REALM}"'
        if self.reason == "missing_token":
            return challenge
        error = "invalid_request" if self.reason in _REQUEST_ERRORS else "invalid_token"
        return f'{challenge}, error="{error}", error_description="{_quotable(self)}"'


class InvalidPage(AuthError):
    """A paging argument out of range, or a cursor this service did not hand out."""

    code = "BAD_USER_INPUT"


class AccessLogUnavailable(AuthError):
    """The access log could not be written; personal data must be withheld."""

    code = "ACCESS_LOG_UNAVAILABLE"


def _quotable(error: GraphQLError) -> str:
    # RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E in error_description.
    return "".join(
        c if " " <= c <= "~" and c not in '"\\' else "'" for c in error.message
    )
