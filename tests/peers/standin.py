"""Two tiny federation v2 subgraphs that stand in for the citizen graph.

``users`` owns the entity ``User`` (``id``, ``name``, ``email``) and the root fields
``user``, ``users`` and ``viewer``; ``posts`` owns ``Post`` and adds ``User.posts``.
They exercise what the peer comparison and the benchmark need before the real
authorities exist: root fields, entities across subgraphs in both directions,
variables, an error in one subgraph (``Post.likes`` of post ``p3``), an error inside
an entity fetch (``User.email`` of user ``u2``) and a forwarded ``Authorization``
header (``viewer`` and ``Post.canEdit`` read ``Bearer <user id>``).

Serve them with uvicorn as ``tests.peers.standin:users_app`` and
``tests.peers.standin:posts_app``; the GraphQL endpoint is ``/graphql``.
"""

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

USER_NAMES = {"u1": "Ada Holm", "u2": "Bo Lund", "u3": "Cleo Dahl"}
SLOW_SECONDS = 0.3
UNLISTED_EMAIL = "u2"
"""The user whose e-mail address fails to load."""


@dataclass(frozen=True)
class PostRow:
    """A post of the stand-in data."""

    id: str
    title: str
    author_id: str
    likes: int


POSTS = (
    PostRow("p1", "Moving to Aarhus", "u1", 3),
    PostRow("p2", "Tax deadlines", "u2", 5),
    PostRow("p3", "Renewing a passport", "u1", 8),
    PostRow("p4", "Daycare waiting lists", "u3", 13),
)
BROKEN_LIKES = "p3"
"""The post whose like count fails to load."""


def bearer(info: strawberry.Info) -> str | None:
    """The user id in the request's ``Authorization: Bearer <id>`` header."""
    header: str = info.context["request"].headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token if scheme.lower() == "bearer" and token in USER_NAMES else None


# --- users ---------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], name="User")
class Person:
    """A user as the users subgraph owns it."""

    id: strawberry.ID
    name: str

    @strawberry.field
    def email(self) -> str | None:
        """The user's e-mail address; fails for one user, by design."""
        if self.id == UNLISTED_EMAIL:
            raise ValueError("The e-mail address could not be loaded.")
        return f"{self.id}@example.org"

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Person | None":
        """The user with ``id``, for ``_entities``."""
        return find_person(str(id))


def find_person(user_id: str) -> Person | None:
    """The user with ``user_id``, or None."""
    name = USER_NAMES.get(user_id)
    return None if name is None else Person(id=strawberry.ID(user_id), name=name)


@strawberry.type
class UsersQuery:
    """Root fields of the users subgraph."""

    @strawberry.field
    def users(self) -> list[Person]:
        """All users, by id."""
        return [
            Person(id=strawberry.ID(key), name=name) for key, name in USER_NAMES.items()
        ]

    @strawberry.field
    def user(self, id: strawberry.ID) -> Person | None:
        """One user by id."""
        return find_person(str(id))

    @strawberry.field
    async def slow(self) -> int:
        """Answers after a pause, so that identical requests overlap in flight."""
        await asyncio.sleep(SLOW_SECONDS)
        return 1

    @strawberry.field
    def viewer(self, info: strawberry.Info) -> Person | None:
        """The user named by the Authorization header."""
        user_id = bearer(info)
        return None if user_id is None else find_person(user_id)


# --- posts ---------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], name="Post")
class Post:
    """A post, owned by the posts subgraph."""

    id: strawberry.ID
    title: str
    author_id: strawberry.Private[str]

    @strawberry.field
    def author(self) -> "Author":
        """The user who wrote the post."""
        return Author(id=strawberry.ID(self.author_id))

    @strawberry.field
    def likes(self) -> int | None:
        """The like count; fails for one post, by design."""
        if self.id == BROKEN_LIKES:
            raise ValueError("The like count could not be loaded.")
        return next(row.likes for row in POSTS if row.id == self.id)

    @strawberry.field
    def can_edit(self, info: strawberry.Info) -> bool:
        """Whether the signed-in user wrote the post."""
        return bearer(info) == self.author_id

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Post | None":
        """The post with ``id``, for ``_entities``."""
        return find_post(str(id))


def to_post(row: PostRow) -> Post:
    """The GraphQL object of a row."""
    return Post(id=strawberry.ID(row.id), title=row.title, author_id=row.author_id)


def find_post(post_id: str) -> Post | None:
    """The post with ``post_id``, or None."""
    return next((to_post(row) for row in POSTS if row.id == post_id), None)


@strawberry.federation.type(keys=["id"], name="User")
class Author:
    """A user as the posts subgraph extends it: with the user's posts."""

    id: strawberry.ID

    @strawberry.field
    def posts(self) -> list[Post]:
        """The user's posts, in order."""
        return [to_post(row) for row in POSTS if row.author_id == self.id]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Author":
        """Any user id; the posts subgraph does not know which users exist."""
        return Author(id=id)


@strawberry.type
class PostsQuery:
    """Root fields of the posts subgraph."""

    @strawberry.field
    def posts(self) -> list[Post]:
        """All posts, in order."""
        return [to_post(row) for row in POSTS]

    @strawberry.field
    def post(self, id: strawberry.ID) -> Post | None:
        """One post by id."""
        return find_post(str(id))


users_schema = Schema(query=UsersQuery, types=[Person], federation_version="2.3")
posts_schema = Schema(query=PostsQuery, types=[Post, Author], federation_version="2.3")


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Counted:
    """An ASGI application that counts its GraphQL requests.

    ``GET /count`` answers with the number of requests to ``/graphql`` so far, so
    that a test can see how many fetches a gateway sent.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve ``/count`` or pass the request on, counting ``/graphql``."""
        if scope["type"] == "http" and scope["path"] == "/count":
            body = str(self.count).encode()
            headers = [(b"content-type", b"text/plain")]
            await send(
                {"type": "http.response.start", "status": 200, "headers": headers}
            )
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http" and scope["path"] == "/graphql":
            self.count += 1
        await self.app(scope, receive, send)


users_app = Counted(GraphQL(users_schema, graphql_ide=None))
posts_app = Counted(GraphQL(posts_schema, graphql_ide=None))
SCHEMAS = {"users": users_schema, "posts": posts_schema}
APPS = {
    "users": "tests.peers.standin:users_app",
    "posts": "tests.peers.standin:posts_app",
}
