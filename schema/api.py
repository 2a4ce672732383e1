"""The API schema of a supergraph: what clients see and validate against.

It is the supergraph without the machinery of the features it links (``join``,
``link``, ``inaccessible``, ``tag``, the auth specifications...) and without the
elements marked ``@inaccessible`` (Apollo Federation, "Inaccessible"
specification v0.2: an inaccessible element is removed from the API schema). The
supergraph loader (:mod:`schema.supergraph`) builds it; this is its short name for
callers that need nothing else of the supergraph.
"""

from functools import lru_cache

from graphql import GraphQLSchema

from schema.supergraph import load_supergraph


@lru_cache(maxsize=32)
def api_schema(supergraph_sdl: str) -> GraphQLSchema:
    """The public schema of ``supergraph_sdl``.

    Schemas are cached by SDL text and shared between callers; do not change them.

    Raises:
        SupergraphError: the SDL does not load as a supergraph.
    """
    return load_supergraph(supergraph_sdl).api_schema
