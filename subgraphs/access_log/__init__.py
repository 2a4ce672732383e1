"""The access log as a subgraph: ``Person.accessLog``, who looked at a person's data.

Its database is the gateway's own (``database_url("gateway")``), where the gateway
writes the log (:mod:`auth.access_log`); this subgraph only reads it.
"""
