import json
from pathlib import Path

import pytest

from persisted_queries.apq import sha256_hex
from persisted_queries.errors import ManifestConflict, ManifestError, ManifestTooLarge
from persisted_queries.manifest import (
    ManifestEntry,
    load_manifest,
    parse_manifest,
    valid_document_id,
)
from tests.persisted_queries.conftest import (
    CHILDREN,
    ME,
    RENAME,
    apollo_manifest,
    write_json,
)

FRAGMENTED = (
    "query Kids { me { ...Kids } }\nfragment Kids on Person { children { name } }"
)


def as_bytes(data: object) -> bytes:
    return json.dumps(data).encode()


def test_loads_an_apollo_manifest(tmp_path: Path) -> None:
    path = write_json(tmp_path / "portal.json", apollo_manifest(ME, RENAME))

    manifest = load_manifest(path)

    assert (manifest.source, manifest.format) == ("portal.json", "apollo")
    assert manifest.entries == (
        ManifestEntry(sha256_hex(ME), "Me", "query", ME, sha256_hex(ME)),
        ManifestEntry(
            sha256_hex(RENAME), "Rename", "mutation", RENAME, sha256_hex(RENAME)
        ),
    )


def test_loads_a_relay_map() -> None:
    data = {"5f3a9c0d": CHILDREN, "7b2e": FRAGMENTED, f"sha256:{sha256_hex(ME)}": ME}

    manifest = parse_manifest(as_bytes(data), "relay.json")

    assert manifest.format == "relay"
    assert [(e.id, e.name, e.operation_type) for e in manifest.entries] == [
        ("5f3a9c0d", "Children", "query"),
        ("7b2e", "Kids", "query"),
        (f"sha256:{sha256_hex(ME)}", "Me", "query"),
    ]
    assert manifest.entries[0].sha256 == sha256_hex(CHILDREN)


def test_a_repeated_apollo_entry_is_stored_once() -> None:
    data = apollo_manifest(ME, ME)

    assert len(parse_manifest(as_bytes(data), "m.json").entries) == 1


def test_names_the_json_line_and_column() -> None:
    text = b'{\n  "a1": "query A { me { name } }",\n  oops\n}'

    with pytest.raises(ManifestError) as raised:
        parse_manifest(text, "relay.json")

    assert raised.value.message == (
        "The manifest 'relay.json' is not valid JSON: Expecting property name "
        "enclosed in double quotes at line 3, column 3."
    )
    assert raised.value.extensions == {
        "code": "MANIFEST_INVALID",
        "manifest": "relay.json",
        "line": 3,
        "column": 3,
    }


def entry(**changes: object) -> dict[str, object]:
    """An Apollo manifest whose second entry has ``changes``."""
    data = apollo_manifest(CHILDREN, ME)
    data["operations"][1].update(changes)
    return data


ME_ID = sha256_hex(ME)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (entry(id="abc"), "Entry 1 (abc) of manifest 'm.json' has an id that is not "
         f"the SHA-256 of its body, {ME_ID}."),
        (entry(name=None), "Entry 1 of manifest 'm.json' needs a non-empty string "
         "'name', not null."),
        (entry(type=""), "Entry 1 of manifest 'm.json' needs a non-empty string "
         "'type', not \"\"."),
        (entry(type="query2"), f"Entry 1 ({ME_ID}) of manifest 'm.json' has type "
         '"query2"; use one of query, mutation, subscription.'),
        (entry(name="You"), f"Entry 1 ({ME_ID}) of manifest 'm.json' says query "
         "'You', but its body holds query 'Me'."),
        (entry(type="mutation"), f"Entry 1 ({ME_ID}) of manifest 'm.json' says "
         "mutation 'Me', but its body holds query 'Me'."),
        (entry(body="query Me { me {", id=sha256_hex("query Me { me {")), "Entry 1 "
         f"({sha256_hex('query Me { me {')}) of manifest 'm.json' is not valid "
         "GraphQL: Syntax Error: Expected Name, found <EOF> at line 1, column 16."),
        (entry(body=f"{ME} {CHILDREN}", id=sha256_hex(f"{ME} {CHILDREN}")), "Entry 1 "
         f"({sha256_hex(f'{ME} {CHILDREN}')}) of manifest 'm.json' must hold exactly "
         "one operation, not 2."),
        (entry(body="type Query { me: Int }", id=sha256_hex("type Query { me: Int }")),
         f"Entry 1 ({sha256_hex('type Query { me: Int }')}) of manifest 'm.json' "
         "holds a type system definition (object type definition); a persisted "
         "document holds only operations and fragments."),
        ({**apollo_manifest(ME), "operations": [ME]}, "Entry 0 of manifest 'm.json' "
         f"must be a JSON object, not {json.dumps(ME)}."),
        ({**apollo_manifest(ME), "format": "graphql-codegen"}, "The manifest "
         "'m.json' has format \"graphql-codegen\"; the known format is "
         "'apollo-persisted-query-manifest', or a Relay map without one."),
        ({**apollo_manifest(ME), "version": 2}, "The manifest 'm.json' has version "
         "2; only version 1 is known."),
        ({**apollo_manifest(ME), "operations": {}}, "The manifest 'm.json' needs an "
         "'operations' list, not {}."),
        ([ME], f"The manifest 'm.json' must be a JSON object, not [{json.dumps(ME)}]."),
        ({"a1": ME, "bad id": CHILDREN}, "Entry 1 (\"bad id\") of manifest 'm.json' "
         "has an id that is not a document identifier: up to 200 letters, digits "
         "and '-._~', or 'sha256:<hex>'."),
        ({"a1": 12}, "Entry 0 (\"a1\") of manifest 'm.json' must map to the "
         "document's text, not 12."),
        ({"a1": "fragment F on Person { name }"}, "Entry 0 (\"a1\") of manifest "
         "'m.json' holds no operation."),
        ({f"sha256:{ME_ID}": CHILDREN}, f"Entry 0 (\"sha256:{ME_ID}\") of manifest "
         "'m.json' has an id that is not the SHA-256 of its text, "
         f"{sha256_hex(CHILDREN)}."),
    ],
)  # fmt: skip
def test_malformed_manifests_name_the_entry(data: object, message: str) -> None:
    with pytest.raises(ManifestError) as raised:
        parse_manifest(as_bytes(data), "m.json")

    assert raised.value.message == message
    assert raised.value.formatted["extensions"]["code"] == "MANIFEST_INVALID"


def test_a_key_given_twice_with_different_texts_is_a_conflict() -> None:
    text = f'{{"a1": "{ME}", "a1": "{CHILDREN}"}}'.encode()

    with pytest.raises(ManifestConflict, match="gives the key 'a1' twice"):
        parse_manifest(text, "relay.json")


def test_not_utf8() -> None:
    with pytest.raises(ManifestError) as raised:
        parse_manifest(b'{"a1": "query A { \xe6 }"}', "m.json")

    assert raised.value.message == (
        "The manifest 'm.json' is not UTF-8 text: byte 18 cannot be decoded."
    )


def test_a_manifest_may_not_pose_as_apq() -> None:
    with pytest.raises(ManifestError, match="cannot be named 'apq'"):
        parse_manifest(as_bytes({"a1": ME}), "apq")


def test_an_oversized_manifest_is_not_read(tmp_path: Path) -> None:
    path = write_json(tmp_path / "big.json", apollo_manifest(ME, CHILDREN))
    size = path.stat().st_size

    with pytest.raises(ManifestTooLarge) as raised:
        load_manifest(path, max_bytes=100)

    assert raised.value.message == (
        f"The manifest 'big.json' is {size} bytes, over the limit of 100 bytes."
    )
    assert raised.value.formatted["extensions"] == {
        "code": "MANIFEST_TOO_LARGE",
        "manifest": "big.json",
        "size": size,
        "limit": 100,
    }


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot be read: No such file"):
        load_manifest(tmp_path / "nowhere.json")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("5f3a9c0d", True),
        ("portal.Me~v2_1-x", True),
        (f"sha256:{ME_ID}", True),
        ("x-portal:Me.v2", True),
        (f"sha256:{ME_ID.upper()}", False),
        ("md5:abc", False),
        ("has space", False),
        ("", False),
        ("a" * 201, False),
    ],
)
def test_document_identifiers(value: str, valid: bool) -> None:
    assert valid_document_id(value) is valid
