"""Identity, access rules and the access log of the citizen graph.

The viewer (who is signed in, and their relations in the civil register) is built
once per request and handed to every subgraph; whom they may act for is decided
once (:mod:`auth.acting`); the policy engine decides each field.
"""
