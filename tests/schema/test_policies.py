"""Access policies read from supergraphs, and their changes in a schema check."""

import pytest
from graphql import parse

from schema.checks import check
from schema.compose import SubgraphSdl
from schema.policies import read_policies

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", '
    'import: ["@key", "@policy"])\n'
)


def people(*fields: str) -> SubgraphSdl:
    body = " ".join(fields)
    return SubgraphSdl(
        "people", None, f'{LINK}type Person @key(fields: "id") {{ id: ID! {body} }}'
    )


ROOT = SubgraphSdl(
    "root",
    None,
    f"{LINK}type Query {{ me: Person }} "
    + ('type Person @key(fields: "id", resolvable: false) { id: ID! }'),
)


def changes(old: list[str], new: list[str]) -> list[tuple[str, str, str]]:
    report = check("people", people(*new).sdl, [ROOT, people(*old)])
    assert report.composition_errors == ()
    return [(c.severity.value, c.code, c.coordinate) for c in report.changes]


def test_the_policy_directive_is_found_under_its_linked_name() -> None:
    document = parse(
        'schema @link(url: "https://specs.apollo.dev/link/v1.0") '
        '@link(url: "https://specs.apollo.dev/policy/v0.1", as: "access") '
        "{ query: Query }\n"
        'type Query { a: Int @access(policies: [["x", "y"], ["z"]]) '
        'b: Int @policy(policies: [["w"]]) }'
    )

    assert read_policies(document) == {"Query.a": [["x", "y"], ["z"]]}


def test_a_supergraph_without_the_policy_spec_has_no_policies() -> None:
    document = parse('type Query { a: Int @policy(policies: [["x"]]) }')

    assert read_policies(document) == {}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '[["a", "b"], ["c"]]',
            '[["c"], ["b", "a"]]',
            [],
        ),
        (
            '[["a"], ["b"]]',
            '[["a"]]',
            [("DANGEROUS", "POLICY_CHANGED", "Person.secret")],
        ),
        (
            None,
            '[["a"]]',
            [("DANGEROUS", "POLICY_ADDED", "Person.secret")],
        ),
        (
            '[["a"]]',
            None,
            [("DANGEROUS", "POLICY_REMOVED", "Person.secret")],
        ),
    ],
    ids=["reordered", "changed", "added", "removed"],
)
def test_a_policy_that_means_something_else_is_dangerous(
    old: str | None, new: str | None, expected: list[tuple[str, str, str]]
) -> None:
    def secret(policies: str | None) -> str:
        return "secret: Int" + (f" @policy(policies: {policies})" if policies else "")

    assert changes([secret(old)], [secret(new)]) == expected


def test_a_new_field_is_reported_once() -> None:
    found = changes(
        ["name: String"], ['name: String secret: String @policy(policies: [["a"]])']
    )

    assert found == [("SAFE", "FIELD_ADDED", "Person.secret")]


def test_the_change_names_both_policies() -> None:
    old = people('secret: Int @policy(policies: [["a"], ["b"]])')
    new = people('secret: Int @policy(policies: [["a", "c"]])')

    report = check("people", new.sdl, [ROOT, old])

    assert [c.message for c in report.changes] == [
        'The access policy of "Person.secret" changed from [["a"], ["b"]] '
        'to [["a", "c"]].'
    ]
    assert not report.breaking
