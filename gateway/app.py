"""The Starlette application: ``/graphql``, GraphiQL, health and readiness.

A request to ``/graphql`` passes these steps, each of which may refuse it with a
GraphQL error and a status code (:mod:`gateway.errors`):

1. the response media type is negotiated from ``Accept``;
2. the parameters are read: the query string of a GET, or a JSON body of at most
   ``max_body_bytes`` for a POST;
3. the caller is identified (:data:`~gateway.seams.Authenticate`);
4. the document text is resolved (:data:`~gateway.seams.DocumentResolver`:
   persisted queries and trusted documents);
5. the document is parsed, limited and validated, from the cache when it can be;
6. the operation is selected; a mutation over GET is refused with 405;
7. the variables are coerced, and the operation's cost is checked;
8. the executor runs the operation.

Anything unexpected is logged without its message (which may hold personal data)
and answered with a masked ``INTERNAL_SERVER_ERROR``.
"""

import asyncio
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.values import get_variable_values
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from auth import errors as auth_errors
from auth.viewer import ANONYMOUS, Viewer
from gateway import graphiql
from gateway.documents import (
    DocumentCache,
    Prepared,
    is_mutation,
    select_operation,
)
from gateway.errors import (
    BadUserInput,
    Forbidden,
    GatewayError,
    InternalError,
    MethodNotAllowed,
    RequestError,
    Unauthenticated,
    graphql_errors,
)
from gateway.http import (
    GraphQLParams,
    error_response,
    graphql_response,
    negotiate,
    prefers_html,
    read_get,
    read_post,
)
from gateway.limits import Limits, cost_of, refuse_cost
from gateway.metrics import metrics
from gateway.middleware import AccessLog, SecurityHeaders
from gateway.seams import (
    Authenticate,
    DevSignIn,
    DocumentResolver,
    Executor,
    ExecutorFactory,
    ReadinessCheck,
    resolve_plain,
)
from gateway.settings import Settings
from subgraphs.service import frozen_heap

logger = logging.getLogger(__name__)

T = TypeVar("T")

READINESS_TIMEOUT = 2.0
"""Seconds a readiness check may take before the server counts as not ready."""

DEFAULT_CHALLENGE = 'Bearer realm="citizen-graph"'

ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""``/graphql`` answers every method itself, to refuse most with a GraphQL error."""


async def anonymous(request: Request) -> Viewer:
    """The default :data:`~gateway.seams.Authenticate`: nobody is signed in."""
    return ANONYMOUS


@dataclass
class Gateway:
    """The parts of a running server that a request uses."""

    executor: Executor
    documents: DocumentCache


class GraphQLEndpoint:
    """Answers ``/graphql`` following GraphQL over HTTP."""

    def __init__(
        self,
        *,
        dev: bool,
        limits: Limits,
        authenticate: Authenticate,
        resolve_document: DocumentResolver,
        graphiql_enabled: bool,
        sign_in: bool,
    ) -> None:
        self.dev = dev
        self.sign_in = sign_in
        self.limits = limits
        self.authenticate = authenticate
        self.resolve_document = resolve_document
        self.graphiql_enabled = graphiql_enabled
        self.gateway: Gateway | None = None

    async def handle(self, request: Request) -> Response:
        """Answer one request to ``/graphql``."""
        accept = request.headers.get("accept")
        if request.method == "GET" and self.graphiql_enabled and prefers_html(accept):
            return graphiql.page(request, dev=self.dev, sign_in=self.sign_in)
        try:
            media_type = negotiate(accept)
        except GatewayError as exc:
            return error_response(exc)
        attempt = _Attempt()
        try:
            params = await self._read(request)
            body = await self._run(request, params, attempt)
        except GatewayError as exc:
            return error_response(exc, media_type)
        except Exception as exc:
            _log_unexpected(exc, attempt)
            return error_response(InternalError(), media_type)
        return graphql_response(body, media_type=media_type)

    async def _read(self, request: Request) -> GraphQLParams:
        if request.method == "GET":
            return read_get(request)
        if request.method == "POST":
            return await read_post(request, self.limits.max_body_bytes)
        raise MethodNotAllowed(
            f"/graphql answers GET and POST, not {request.method}.",
            allow=("GET", "POST"),
        )

    async def _run(
        self, request: Request, params: GraphQLParams, attempt: "_Attempt"
    ) -> dict[str, Any]:
        gateway = self.gateway
        if gateway is None:
            raise InternalError()
        viewer = await _seam(self.authenticate(request))
        text = await _seam(self.resolve_document(params))
        prepared = gateway.documents.prepare(text)
        attempt.document_hash = prepared.hash
        if params.method == "GET" and prepared.document is not None:
            _refuse_mutation_over_get(prepared.document, params.operation_name)
        document = prepared.valid()
        operation = self._check(gateway, prepared, params)
        attempt.operation = operation.name.value if operation.name else None
        response = await gateway.executor.execute(
            document,
            operation_name=params.operation_name,
            variables=params.variables,
            viewer=viewer,
            document_hash=prepared.hash,
            include_plan=self.dev and params.extensions.get("queryPlan") is True,
        )
        body: dict[str, Any] = {"data": response.data}
        if response.errors:
            body["errors"] = response.errors
        if response.extensions:
            body["extensions"] = response.extensions
        return body

    def _check(
        self, gateway: Gateway, prepared: Prepared, params: GraphQLParams
    ) -> OperationDefinitionNode:
        """The operation to run, once its variables coerce and its cost is paid."""
        document = prepared.valid()
        operation = select_operation(document, params.operation_name)
        if operation.operation == OperationType.SUBSCRIPTION:
            raise RequestError(
                "Subscriptions are not served over HTTP requests.",
                code="OPERATION_NOT_SUPPORTED",
            )
        schema = gateway.executor.api_schema
        self._coerce(schema, operation, params.variables)
        cost = prepared.costs.get(params.operation_name)
        if cost is None:
            cost = cost_of(document, operation, schema, self.limits.default_list_size)
            prepared.costs[params.operation_name] = cost
        refuse_cost(cost, self.limits)
        return operation

    def _coerce(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        coerced = get_variable_values(
            schema,
            operation.variable_definitions or (),
            dict(variables),
            max_errors=self.limits.max_errors,
            hide_suggestions=not self.dev,
        )
        if isinstance(coerced, list):
            raise BadUserInput(
                coerced[0].message,
                errors=graphql_errors(coerced, BadUserInput.code),
            )


def _shaped(error: GraphQLError, code: str) -> list[dict[str, Any]]:
    """``error`` as the response's one error, its code (``code``) first."""
    shaped = graphql_errors([error], code)[0]
    shaped.pop("locations", None)
    shaped.pop("path", None)
    shaped["extensions"]["code"] = code
    return [shaped]


def _refuse_mutation_over_get(
    document: DocumentNode, operation_name: str | None
) -> None:
    try:
        operation = select_operation(document, operation_name)
    except GatewayError:
        return
    if is_mutation(operation):
        raise MethodNotAllowed(
            "A mutation cannot run over GET; send it in a POST request.",
            allow=("POST",),
        )


async def _seam(awaitable: Awaitable[T]) -> T:
    """Await a seam, translating its refusals into gateway errors.

    A GraphQL error keeps its message and extensions; the HTTP status comes from
    a ``status`` or ``http_status`` attribute, the 401 challenge from
    ``www_authenticate`` or ``challenge``.
    """
    try:
        result: T = await awaitable
    except GatewayError:
        raise
    except auth_errors.Unauthenticated as exc:
        challenge = (
            getattr(exc, "www_authenticate", None)
            or getattr(exc, "challenge", None)
            or DEFAULT_CHALLENGE
        )
        raise Unauthenticated(
            exc.message,
            headers={"WWW-Authenticate": challenge},
            errors=_shaped(exc, Unauthenticated.code),
        ) from exc
    except auth_errors.Forbidden as exc:
        raise Forbidden(exc.message, errors=_shaped(exc, Forbidden.code)) from exc
    except Exception as exc:
        code = getattr(exc, "code", None)
        if not isinstance(code, str):
            raise
        status = getattr(exc, "status", None) or getattr(exc, "http_status", None)
        headers = getattr(exc, "headers", None)
        message = exc.message if isinstance(exc, GraphQLError) else str(exc)
        raise RequestError(
            message,
            code=code,
            status=status if isinstance(status, int) else None,
            headers=headers if isinstance(headers, Mapping) else None,
            errors=_shaped(exc, code) if isinstance(exc, GraphQLError) else None,
        ) from exc
    return result


@dataclass
class _Attempt:
    """What is known of a request when something unexpected fails."""

    operation: str | None = None
    document_hash: str | None = None


def _log_unexpected(exc: BaseException, attempt: _Attempt) -> None:
    """Log where ``exc`` happened, but not its message, which may hold data."""
    frames = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    logger.error(
        "Unexpected %s while answering operation %s (document %s); the client "
        "was told INTERNAL_SERVER_ERROR.\n%s",
        type(exc).__name__,
        attempt.operation or "(anonymous)",
        (attempt.document_hash or "unknown")[:16],
        "".join(frames).rstrip(),
    )


async def healthz(request: Request) -> Response:
    """The process is up and answering."""
    return JSONResponse({"status": "ok"})


class Readiness:
    """``/readyz``: 200 when the executor runs and every dependency answers."""

    def __init__(self, endpoint: GraphQLEndpoint, check: ReadinessCheck | None) -> None:
        self.endpoint = endpoint
        self.check = check

    async def handle(self, request: Request) -> Response:
        """Answer one request to ``/readyz``."""
        if self.endpoint.gateway is None:
            return JSONResponse({"status": "starting", "checks": {}}, status_code=503)
        checks = await self._checks()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    async def _checks(self) -> dict[str, bool]:
        if self.check is None:
            return {}
        try:
            async with asyncio.timeout(READINESS_TIMEOUT):
                return {name: bool(ok) for name, ok in (await self.check()).items()}
        except Exception as exc:
            logger.warning("The readiness check failed with %s.", type(exc).__name__)
            return {"check": False}


def _serves_tokens(routes: Sequence[BaseRoute]) -> bool:
    """True when one of ``routes`` is a development issuer's ``/dev/token``."""
    return any(getattr(route, "path", None) == "/dev/token" for route in routes)


def create_app(
    settings: Settings,
    executor_factory: ExecutorFactory,
    *,
    dev: bool,
    limits: Limits | None = None,
    authenticate: Authenticate | None = None,
    resolve_document: DocumentResolver | None = None,
    readiness: ReadinessCheck | None = None,
    dev_sign_in: DevSignIn | None = None,
    graphiql_enabled: bool | None = None,
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The gateway's ASGI application.

    Args:
        settings: the process settings, handed to ``executor_factory``.
        executor_factory: opens the executor at start-up, closes it at shutdown.
        dev: development mode: introspection, suggestions, query plans, GraphiQL
            with the persona picker. Production mode has none of these.
        limits: request limits; :meth:`Limits.from_env` by default.
        authenticate: identifies the caller; everyone is anonymous by default.
        resolve_document: persisted queries; by default only ``query`` text runs.
        readiness: checks the dependencies for ``/readyz``.
        dev_sign_in: the development issuer behind ``/dev/token`` (dev mode only);
            GraphiQL's persona picker also appears when ``routes`` serve
            ``/dev/token`` and ``/dev/personas`` themselves.
        graphiql_enabled: serve GraphiQL; by default only in dev mode.
        routes: more routes (a portal page, a JWKS) served by the same app.
    """
    endpoint = GraphQLEndpoint(
        dev=dev,
        limits=limits or Limits.from_env(),
        authenticate=authenticate or anonymous,
        resolve_document=resolve_document or resolve_plain,
        graphiql_enabled=dev if graphiql_enabled is None else graphiql_enabled,
        sign_in=dev and (dev_sign_in is not None or _serves_tokens(routes)),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with executor_factory(settings) as executor:
            documents = DocumentCache(executor.api_schema, endpoint.limits, dev=dev)
            endpoint.gateway = Gateway(executor, documents)
            try:
                with frozen_heap():
                    yield
            finally:
                endpoint.gateway = None

    all_routes: list[BaseRoute] = [
        Route("/graphql", endpoint.handle, methods=ANY_METHOD),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", Readiness(endpoint, readiness).handle, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *routes,
    ]
    if endpoint.graphiql_enabled:
        all_routes += graphiql.routes(
            dev=dev, sign_in=dev_sign_in if dev else None, picker=endpoint.sign_in
        )
    return Starlette(
        routes=all_routes,
        lifespan=lifespan,
        middleware=[Middleware(AccessLog), Middleware(SecurityHeaders)],
    )
