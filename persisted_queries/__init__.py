"""Automatic persisted queries and trusted documents, with their store.

The HTTP server uses four names; everything else is detail:

- :class:`~persisted_queries.store.DocumentStore`: open once per process with
  ``DocumentStore.open(settings.database_url("gateway"),
  redis_url=settings.redis_url)``, ``await store.create()`` at start-up and
  ``await store.close()`` at shutdown.
- :class:`~persisted_queries.resolver.DocumentResolver`: ``await
  DocumentResolver(store).resolve(params, mode=mode)`` turns a request's
  ``query``, ``documentId``, ``extensions`` and ``operationName`` into a
  :class:`~persisted_queries.resolver.ResolvedDocument` (text, hash, trust) or a
  :class:`~persisted_queries.errors.PersistedQueryError` (``code``,
  ``http_status``, ``formatted``).
- :class:`~persisted_queries.resolver.Mode`: ``off``, ``audit`` or ``enforce``;
  ``Mode.from_setting(value, production=...)`` enforces in production unless told
  otherwise.
- :func:`~persisted_queries.apq.refuse_mutation_over_get`: after parsing, the
  405 error for a mutation requested with GET.

Manifests are loaded by :mod:`persisted_queries.manifest` and pushed with
``citizen-graph persisted-queries push``.
"""
