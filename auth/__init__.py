"""Identity, access rules and the access log of the citizen graph.

The viewer (who is signed in, and their relations in the civil register) is built
once per request and handed to every subgraph; the policy engine decides each field.
"""
