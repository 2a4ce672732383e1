"""The checked-in fixture supergraphs are what the composers make of them today."""

import pytest

from tests.resolvers.fixtures import generate

NODE_MODULES = generate.PEERS / "node_modules"


@pytest.mark.parametrize(
    "composer",
    [
        pytest.param(
            c,
            marks=pytest.mark.skipif(
                c != "ours" and not NODE_MODULES.exists(),
                reason="tests/peers/node_modules is missing; run make test",
            ),
        )
        for c in generate.COMPOSERS
    ],
)
@pytest.mark.parametrize("name", ["shop", "media"])
def test_checked_in_supergraphs_match_a_fresh_composition(
    name: str, composer: str
) -> None:
    schemas = generate.fixtures()[name]

    fresh = generate.compose(schemas, composer)

    hint = "regenerate with python -m tests.resolvers.fixtures.generate"
    assert fresh == generate.path(name, composer).read_text(), hint
