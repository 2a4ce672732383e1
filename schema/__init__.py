"""Composition of subgraph SDLs into a supergraph, loading supergraphs, schema
checks, and the scalars and directives that subgraphs share. No HTTP, no databases.
"""
