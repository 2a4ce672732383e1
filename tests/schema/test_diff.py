"""Classifying the changes between two public schemas."""

import pytest
from graphql import build_schema

from schema.diff import SchemaChange, Severity, diff_schemas

BASE = """
type Query { me: Person search(text: String!, first: Int = 10): [Result!]! }
type Person implements Node {
  id: ID!
  name: String!
  nickname: String
  kind: Kind!
  payslips(last: Int = 3, employer: String): [Payslip!]!
}
interface Node { id: ID! }
type Payslip { gross: Int! }
union Result = Person | Payslip
enum Kind { CITIZEN RESIDENT }
input Filter { since: String, limit: Int! = 5 }
type Mutation { note(filter: Filter): Int }
"""

Case = tuple[str, str, list[tuple[str, str, str, str]]]

CASES: list[Case] = [
    (
        "name: String!",
        "",
        [
            (
                "BREAKING",
                "FIELD_REMOVED",
                "Person.name",
                'Field "Person.name" was removed.',
            )
        ],
    ),
    (
        "name: String!",
        "fullName: String!",
        [
            (
                "BREAKING",
                "FIELD_REMOVED",
                "Person.name",
                'Field "Person.name" was removed (perhaps renamed to '
                '"Person.fullName").',
            ),
            (
                "SAFE",
                "FIELD_ADDED",
                "Person.fullName",
                'Field "Person.fullName" was added.',
            ),
        ],
    ),
    (
        "nickname: String",
        "nickname: String!",
        [
            (
                "SAFE",
                "FIELD_MADE_NON_NULL",
                "Person.nickname",
                'Field "Person.nickname" changed type from "String" to "String!".',
            )
        ],
    ),
    (
        "name: String!",
        "name: String",
        [
            (
                "BREAKING",
                "FIELD_MADE_NULLABLE",
                "Person.name",
                'Field "Person.name" changed type from "String!" to "String".',
            )
        ],
    ),
    (
        "name: String!",
        "name: Int!",
        [
            (
                "BREAKING",
                "FIELD_TYPE_CHANGED",
                "Person.name",
                'Field "Person.name" changed type from "String!" to "Int!".',
            )
        ],
    ),
    (
        "payslips(last: Int = 3, employer: String)",
        "payslips(last: Int = 3, employer: String, year: Int!)",
        [
            (
                "BREAKING",
                "ARGUMENT_ADDED_REQUIRED",
                "Person.payslips(year:)",
                'Argument "Person.payslips(year:)" was added as required without a '
                "default value.",
            )
        ],
    ),
    (
        "payslips(last: Int = 3, employer: String)",
        "payslips(last: Int = 3, employer: String, year: Int! = 2026)",
        [
            (
                "SAFE",
                "ARGUMENT_ADDED",
                "Person.payslips(year:)",
                'Argument "Person.payslips(year:)" was added.',
            )
        ],
    ),
    (
        "payslips(last: Int = 3, employer: String)",
        "payslips(last: Int = 3, employer: String!)",
        [
            (
                "BREAKING",
                "ARGUMENT_MADE_NON_NULL",
                "Person.payslips(employer:)",
                'Argument "Person.payslips(employer:)" changed type from "String" to '
                '"String!".',
            )
        ],
    ),
    (
        "search(text: String!, first",
        "search(text: String, first",
        [
            (
                "SAFE",
                "ARGUMENT_MADE_NULLABLE",
                "Query.search(text:)",
                'Argument "Query.search(text:)" changed type from "String!" to '
                '"String".',
            )
        ],
    ),
    (
        "payslips(last: Int = 3, employer: String)",
        'payslips(last: String = "3", employer: String)',
        [
            (
                "BREAKING",
                "ARGUMENT_TYPE_CHANGED",
                "Person.payslips(last:)",
                'Argument "Person.payslips(last:)" changed type from "Int" to '
                '"String".',
            ),
            (
                "DANGEROUS",
                "ARGUMENT_DEFAULT_CHANGED",
                "Person.payslips(last:)",
                'Argument "Person.payslips(last:)" changed its default value from 3 '
                'to "3".',
            ),
        ],
    ),
    (
        "payslips(last: Int = 3, employer: String)",
        "payslips(employer: String)",
        [
            (
                "BREAKING",
                "ARGUMENT_REMOVED",
                "Person.payslips(last:)",
                'Argument "Person.payslips(last:)" was removed.',
            )
        ],
    ),
    (
        "first: Int = 10",
        "first: Int = 20",
        [
            (
                "DANGEROUS",
                "ARGUMENT_DEFAULT_CHANGED",
                "Query.search(first:)",
                'Argument "Query.search(first:)" changed its default value from 10 '
                "to 20.",
            )
        ],
    ),
    (
        "enum Kind { CITIZEN RESIDENT }",
        "enum Kind { CITIZEN }",
        [
            (
                "BREAKING",
                "ENUM_VALUE_REMOVED",
                "Kind.RESIDENT",
                'Enum value "Kind.RESIDENT" was removed.',
            )
        ],
    ),
    (
        "enum Kind { CITIZEN RESIDENT }",
        "enum Kind { CITIZEN RESIDENT VISITOR }",
        [
            (
                "DANGEROUS",
                "ENUM_VALUE_ADDED",
                "Kind.VISITOR",
                'Enum value "Kind.VISITOR" was added.',
            )
        ],
    ),
    (
        "union Result = Person | Payslip",
        "union Result = Person",
        [
            (
                "BREAKING",
                "UNION_MEMBER_REMOVED",
                "Result",
                'Type "Result" no longer includes "Payslip".',
            )
        ],
    ),
    (
        "type Person implements Node {",
        "type Person {",
        [
            (
                "BREAKING",
                "IMPLEMENTATION_REMOVED",
                "Person",
                'Type "Person" no longer implements interface "Node".',
            )
        ],
    ),
    (
        "input Filter { since: String, limit: Int! = 5 }",
        "input Filter { since: String, limit: Int! = 5, until: String! }",
        [
            (
                "BREAKING",
                "INPUT_FIELD_ADDED_REQUIRED",
                "Filter.until",
                'Input field "Filter.until" was added as required without a default '
                "value.",
            )
        ],
    ),
    (
        "input Filter { since: String, limit: Int! = 5 }",
        "input Filter { since: String, limit: Int! = 7 }",
        [
            (
                "DANGEROUS",
                "INPUT_FIELD_DEFAULT_CHANGED",
                "Filter.limit",
                'Input field "Filter.limit" changed its default value from 5 to 7.',
            )
        ],
    ),
    (
        "type Payslip { gross: Int! }",
        "type Payslip { gross: Int! }\ntype Pension { amount: Int }",
        [("SAFE", "TYPE_ADDED", "Pension", 'Type "Pension" was added.')],
    ),
    (
        "kind: Kind!\n",
        "kind: String!\n",
        [
            (
                "BREAKING",
                "FIELD_TYPE_CHANGED",
                "Person.kind",
                'Field "Person.kind" changed type from "Kind!" to "String!".',
            )
        ],
    ),
    (
        "nickname: String",
        'nickname: String @deprecated(reason: "Use name.")',
        [
            (
                "SAFE",
                "FIELD_DEPRECATED",
                "Person.nickname",
                'Field "Person.nickname" was deprecated: "Use name.".',
            )
        ],
    ),
]


def _tuples(changes: list[SchemaChange]) -> list[tuple[str, str, str, str]]:
    return [(c.severity.value, c.code, c.coordinate, c.message) for c in changes]


@pytest.mark.parametrize(("before", "after", "expected"), CASES)
def test_change_is_classified(
    before: str, after: str, expected: list[tuple[str, str, str, str]]
) -> None:
    assert before in BASE
    old = build_schema(BASE)
    new = build_schema(BASE.replace(before, after, 1))

    changes = diff_schemas(old, new)

    assert sorted(_tuples(changes)) == sorted(expected)


def test_the_same_schema_has_no_changes() -> None:
    assert diff_schemas(build_schema(BASE), build_schema(BASE)) == []


def test_type_kind_change_is_breaking() -> None:
    old = build_schema(BASE)
    new = build_schema(BASE.replace("type Payslip {", "interface Payslip {"))

    changes = [c for c in diff_schemas(old, new) if c.code == "TYPE_KIND_CHANGED"]

    assert changes[0].severity is Severity.BREAKING
    assert changes[0].message == (
        'Type "Payslip" changed from an object type to an interface.'
    )
