"""Fixtures of the gateway tests: a server over a small schema, and its client."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.limits import Limits
from gateway.settings import Settings
from tests.gateway.support import SchemaExecutor, factory_of

MakeClient = Callable[..., "httpx.AsyncClient"]


@pytest.fixture
def executor() -> SchemaExecutor:
    """A fresh executor over the test schema."""
    return SchemaExecutor()


@pytest.fixture
def settings() -> Settings:
    """Settings that nothing in these tests reads from the environment."""
    return Settings.from_env({})


@pytest.fixture
def limits() -> Limits:
    """The default limits, independent of the environment."""
    return Limits()


async def _client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway.test"
        ) as client:
            yield client


@pytest.fixture
async def dev_client(
    settings: Settings, executor: SchemaExecutor, limits: Limits
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a dev-mode server."""
    app = create_app(settings, factory_of(executor), dev=True, limits=limits)
    async for client in _client(app):
        yield client


@pytest.fixture
async def client(
    settings: Settings, executor: SchemaExecutor, limits: Limits
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a production-mode server."""
    app = create_app(settings, factory_of(executor), dev=False, limits=limits)
    async for client in _client(app):
        yield client


@pytest.fixture
def serve(
    settings: Settings, executor: SchemaExecutor, limits: Limits
) -> Callable[..., AsyncIterator[httpx.AsyncClient]]:
    """Builds a server with the given ``create_app`` options and yields a client."""

    def start(**options: object) -> AsyncIterator[httpx.AsyncClient]:
        options.setdefault("dev", False)
        options.setdefault("limits", limits)
        app = create_app(settings, factory_of(executor), **options)  # type: ignore[arg-type]
        return _client(app)

    return start
