"""The authorities' subgraphs, one package each, and the kit they share.

Each authority package keeps the same modules: ``models`` (SQLAlchemy tables),
``loaders`` (per-request dataloaders), ``types`` (Strawberry types), ``schema`` (the
federation schema and the :class:`subgraphs.kit.Subgraph` it exports as
``subgraph``), ``policies`` (the access rules of its fields) and ``seed`` (its part
of the synthetic population). Only :mod:`subgraphs.registry`, the composition root,
imports an authority.
"""
