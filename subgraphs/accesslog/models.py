"""The access log's tables: the store of :mod:`auth.access_log`."""

from auth.access_log import access_log, metadata

__all__ = ["access_log", "metadata"]
