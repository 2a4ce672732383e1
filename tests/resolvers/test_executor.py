"""Execution of a corpus of operations, in-process and over HTTP."""

from typing import Any

import pytest

from tests.resolvers.conftest import MakeHarness

CORPUS: list[tuple[str, str, dict[str, Any] | None, dict[str, Any]]] = [
    (
        "shop",
        "{ topProducts(first: 2) { name reviews { body author { username name } } } }",
        None,
        {
            "topProducts": [
                {
                    "name": "Table",
                    "reviews": [
                        {
                            "body": "Love it!",
                            "author": {"username": "@ada", "name": "Ada"},
                        },
                        {
                            "body": "Too expensive.",
                            "author": {"username": "@bo", "name": "Bo"},
                        },
                    ],
                },
                {
                    "name": "Couch",
                    "reviews": [
                        {
                            "body": "Could be better.",
                            "author": {"username": "@bo", "name": "Bo"},
                        }
                    ],
                },
            ]
        },
    ),
    (
        "shop",
        '{ review(id: "r1") { product { inStock shippingEstimate shippingLabel } } }',
        None,
        {
            "review": {
                "product": {
                    "inStock": True,
                    "shippingEstimate": 50,
                    "shippingLabel": "50 kr",
                }
            }
        },
    ),
    (
        "shop",
        '{ review(id: "r3") { product { name shippingLabel } } }',
        None,
        {"review": {"product": {"name": "Couch", "shippingLabel": "free"}}},
    ),
    (
        "shop",
        "query Q($n: Int!) { few: topProducts(first: $n) { nm: name } "
        "all: topProducts { upc } }",
        {"n": 1},
        {
            "few": [{"nm": "Table"}],
            "all": [{"upc": "1"}, {"upc": "2"}, {"upc": "3"}],
        },
    ),
    (
        "shop",
        "query { me { ...U } } fragment U on User { id ... on User { name } "
        "reviews { body } }",
        None,
        {
            "me": {
                "id": "u1",
                "name": "Ada",
                "reviews": [{"body": "Love it!"}, {"body": "Prefer something else."}],
            }
        },
    ),
    (
        "shop",
        "query Q($yes: Boolean!, $no: Boolean!) { me { name @include(if: $yes) "
        "email @skip(if: $yes) reviews @include(if: $no) { body } "
        "... @skip(if: $no) { username } } }",
        {"yes": True, "no": False},
        {"me": {"name": "Ada", "username": "@ada"}},
    ),
    (
        "shop",
        "query Q($yes: Boolean = true) { me { a: name @include(if: $yes) "
        "a: name b: email @skip(if: true) } }",
        None,
        {"me": {"a": "Ada"}},
    ),
    (
        "shop",
        "{ users { email reviews { id product { upc name } } } }",
        None,
        {
            "users": [
                {
                    "email": "ada@example.org",
                    "reviews": [
                        {"id": "r1", "product": {"upc": "1", "name": "Table"}},
                        {"id": "r4", "product": {"upc": "3", "name": "Chair"}},
                    ],
                },
                {
                    "email": "bo@example.org",
                    "reviews": [
                        {"id": "r2", "product": {"upc": "1", "name": "Table"}},
                        {"id": "r3", "product": {"upc": "2", "name": "Couch"}},
                    ],
                },
            ]
        },
    ),
    (
        "shop",
        '{ __typename me { __typename } review(id: "r2") { __typename author '
        "{ __typename username } } }",
        None,
        {
            "__typename": "Query",
            "me": {"__typename": "User"},
            "review": {
                "__typename": "Review",
                "author": {"__typename": "User", "username": "@bo"},
            },
        },
    ),
    (
        "shop",
        "{ me { login org { id } wishlist } }",
        None,
        {"me": {"login": "ada", "org": {"id": "o1"}, "wishlist": ["Lamp"]}},
    ),
    (
        "shop",
        '{ review(id: "r2") { author { name wishlist } } }',
        None,
        {"review": {"author": {"name": "Bo", "wishlist": []}}},
    ),
    (
        "shop",
        '{ product(upc: "404") { name } warehouseName }',
        None,
        {"product": None, "warehouseName": "North"},
    ),
    (
        "media",
        "{ media { __typename id title stars ... on Book { author } "
        "... on Film { director studio { name } } } }",
        None,
        {
            "media": [
                {
                    "__typename": "Book",
                    "id": "b1",
                    "title": "Dune",
                    "stars": 5,
                    "author": "Herbert",
                },
                {
                    "__typename": "Book",
                    "id": "b2",
                    "title": "Emma",
                    "stars": 4,
                    "author": "Austen",
                },
                {
                    "__typename": "Film",
                    "id": "f1",
                    "title": "Alien",
                    "stars": 5,
                    "director": "Scott",
                    "studio": {"name": "Twentieth"},
                },
                {
                    "__typename": "Film",
                    "id": "f2",
                    "title": "Babette",
                    "stars": 3,
                    "director": "Axel",
                    "studio": {"name": "Nordisk"},
                },
            ]
        },
    ),
    (
        "media",
        "{ topRated { id stars ... on Book { title author } ... on Film { title } } }",
        None,
        {
            "topRated": [
                {"id": "b1", "stars": 5, "title": "Dune", "author": "Herbert"},
                {"id": "f1", "stars": 5, "title": "Alien"},
            ]
        },
    ),
    (
        "media",
        "{ highlights { ... on Book { title stars } ... on Film { director title } } }",
        None,
        {
            "highlights": [
                {"director": "Axel", "title": "Babette"},
                {"title": "Emma", "stars": 4},
            ]
        },
    ),
    (
        "media",
        "query S($t: String!) { search(term: $t) { kind: __typename "
        "...M ... on Film { studio { country code name } } } } "
        "fragment M on Media { id stars }",
        {"t": "li"},
        {
            "search": [
                {
                    "kind": "Film",
                    "id": "f1",
                    "stars": 5,
                    "studio": {"country": "US", "code": "20C", "name": "Twentieth"},
                }
            ]
        },
    ),
    (
        "media",
        "{ media { id notes ... on Book { title notes } } }",
        None,
        {
            "media": [
                {"id": "b1", "notes": ["classic"], "title": "Dune"},
                {"id": "b2", "notes": [], "title": "Emma"},
                {"id": "f1", "notes": []},
                {"id": "f2", "notes": ["danish", "food"]},
            ]
        },
    ),
    (
        "media",
        "{ mostNoted { __typename id notes title stars ... on Film { director } } }",
        None,
        {
            "mostNoted": {
                "__typename": "Film",
                "id": "f2",
                "notes": ["danish", "food"],
                "title": "Babette",
                "stars": 3,
                "director": "Axel",
            }
        },
    ),
    (
        "media",
        "{ featuredStudio { country name } }",
        None,
        {"featuredStudio": {"country": "DK", "name": "Nordisk"}},
    ),
]


@pytest.mark.parametrize(("fixture", "query", "variables", "expected"), CORPUS)
@pytest.mark.parametrize(
    ("composer", "transport_kind"),
    [
        ("apollo", "in-process"),
        ("guild", "in-process"),
        ("ours", "in-process"),
        ("apollo", "http"),
    ],
)
async def test_corpus(
    harness_factory: MakeHarness,
    fixture: str,
    composer: str,
    query: str,
    variables: dict[str, Any] | None,
    expected: dict[str, Any],
) -> None:
    harness = await harness_factory(fixture, composer)

    body = await harness.run(query, variables)

    assert body == {"data": expected}


async def test_mutations_run_in_order_across_subgraphs(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()
    query = (
        'mutation { a: addReview(upc: "1", body: "x") { id body product { name } } '
        'rename(name: "Zed") { name } b: addReview(upc: "2", body: "y") { id } }'
    )

    body = await harness.run(query)

    assert body == {
        "data": {
            "a": {"id": "new1", "body": "x", "product": {"name": "Table"}},
            "rename": {"name": "Zed (2)"},
            "b": {"id": "new3"},
        }
    }
    assert harness.journal == ["addReview:x", "rename:Zed", "addReview:y"]


async def test_forbidden_fields_are_null_with_the_subgraphs_error(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()

    body = await harness.run("{ users { name birthDate } }")

    assert body == {
        "errors": [
            {
                "message": "Only the person themself may see their birth date.",
                "path": ["users", 1, "birthDate"],
                "extensions": {"code": "FORBIDDEN", "serviceName": "accounts"},
            }
        ],
        "data": {
            "users": [
                {"name": "Ada", "birthDate": "1990-01-01"},
                {"name": "Bo", "birthDate": None},
            ]
        },
    }


async def test_introspection_is_answered_from_the_api_schema(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()
    query = (
        '{ t: __type(name: "User") { name fields { name } } '
        "__schema { mutationType { name } } }"
    )

    body = await harness.run(query)

    names = [
        "id",
        "email",
        "name",
        "login",
        "username",
        "org",
        "birthDate",
        "wishlist",
        "reviews",
    ]
    assert body == {
        "data": {
            "t": {"name": "User", "fields": [{"name": n} for n in names]},
            "__schema": {"mutationType": {"name": "Mutation"}},
        }
    }
    assert harness.log == []
