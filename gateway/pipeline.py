"""What the citizen graph adds around the federated executor.

Before an operation runs, the signed-in person's relations (spouse, children with
birth dates and custody, parents) are read once from the civil register and put on
the viewer, so that every authority decides access without asking the register
itself. While it runs, every field guard that allows a field reports it
(:mod:`auth.recording`). After it runs, and before the response leaves, those
sights are appended to the access log in one batch; if the log cannot be
written, the personal data is withheld and the client gets one error.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from graphql import DocumentNode, GraphQLSchema

from auth.access_log import AccessLog, SeenFields
from auth.acting import may_act_for
from auth.errors import AccessLogUnavailable
from auth.recording import recording
from auth.viewer import Relations, Viewer
from gateway.errors import Forbidden
from gateway.seams import ExecutionResponse, Executor
from resolvers.executor import Response

logger = logging.getLogger(__name__)

ACTING_REFUSED = "You may not act for the person this sign-in names."
"""One message for every refused ``act_for``, so none tells whether the person
exists."""

RelationsSource = Callable[[Viewer], Awaitable[Relations]]
"""Reads the relations of a signed-in person from the civil register."""


class CitizenExecutor:
    """The executor of the citizen graph: relations in, access log out.

    Args:
        inner: the federated executor.
        relations: reads a viewer's relations; None leaves viewers as they are.
        access_log: where sights of personal data are appended; None records
            nothing (a supergraph that is not the citizen graph).
    """

    def __init__(
        self,
        inner: Executor,
        relations: RelationsSource | None,
        access_log: AccessLog | None,
    ) -> None:
        self.inner = inner
        self.relations = relations
        self.access_log = access_log

    @property
    def api_schema(self) -> GraphQLSchema:
        """The public schema of the inner executor."""
        return self.inner.api_schema

    async def execute(
        self,
        document: DocumentNode,
        *,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        viewer: Viewer,
        document_hash: str,
        include_plan: bool = False,
    ) -> ExecutionResponse:
        """Run the operation for ``viewer`` with their relations, then log it.

        Raises:
            Forbidden: the viewer acts for someone they may not act for.
        """
        viewer = await self._with_relations(viewer)
        if self.relations is not None and not may_act_for(viewer):
            raise Forbidden(ACTING_REFUSED)
        seen = SeenFields()
        with recording(seen):
            response = await self.inner.execute(
                document,
                operation_name=operation_name,
                variables=variables,
                viewer=viewer,
                document_hash=document_hash,
                include_plan=include_plan,
            )
        if self.access_log is None or not seen.by_person:
            return response
        entries = seen.entries(viewer, document_hash, operation_name)
        try:
            await self.access_log.write_batch(entries)
        except AccessLogUnavailable as exc:
            logger.error("The access log could not be written; data withheld.")
            error = {"message": str(exc), "extensions": {"code": exc.code}}
            return Response(data=None, errors=[error])
        return response

    async def _with_relations(self, viewer: Viewer) -> Viewer:
        if self.relations is None or viewer.person_id is None:
            return viewer
        try:
            relations = await self.relations(viewer)
        except Exception as exc:
            # Without relations the viewer is granted only their own data.
            logger.warning("Relations could not be read: %s.", type(exc).__name__)
            return viewer
        return replace(viewer, relations=relations)
