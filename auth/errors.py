"""Errors of the auth package.

    AuthError                 base, carries a stable ``code``
    ├── Forbidden             FORBIDDEN: a field the viewer may not see
    └── Unauthenticated       UNAUTHENTICATED: no viewer, or a bad token

Each reaches the client as a GraphQL error with ``extensions.code``.
"""

from typing import Any

from graphql import GraphQLError


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
    """There is no signed-in viewer, or the token was refused."""

    code = "UNAUTHENTICATED"
