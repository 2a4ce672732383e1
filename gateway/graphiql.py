"""GraphiQL, served from the package: no script from any other site.

The browser bundles of GraphiQL, React and the explorer plugin are installed from
npm by ``make graphiql`` (``gateway/graphiql/package.json``) and copied into
``gateway/static/vendor/``; the page and its script are ours, under
``gateway/static/graphiql/``. The page carries a Content-Security-Policy that
allows only this origin. In dev mode the page has a query-plan panel and, with a
development issuer, a persona picker fed by ``/dev/personas`` and ``/dev/token``.
"""

import html
import logging
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.seams import DevSignIn

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"
VENDOR_FILES = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
    "plugin-explorer.umd.js",
    "plugin-explorer.css",
)
"""The bundle files the page loads; ``make graphiql`` puts them in place."""

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
"""Only this origin: no inline script, no third-party anything."""


def bundle_missing() -> list[str]:
    """The vendor files that are not installed."""
    return [name for name in VENDOR_FILES if not (VENDOR / name).is_file()]


def page(request: Request, *, dev: bool, sign_in: bool) -> Response:
    """The GraphiQL page for ``request``'s endpoint, under a strict CSP."""
    missing = bundle_missing()
    if missing:
        logger.warning("GraphiQL is not installed: %s missing.", ", ".join(missing))
        return PlainTextResponse(
            "GraphiQL's browser bundle is not installed; run `make graphiql`.",
            status_code=503,
        )
    template = Template((STATIC / "graphiql" / "index.html").read_text("utf-8"))
    text = template.substitute(
        static=html.escape(request.url_for("static", path="").path.rstrip("/")),
        endpoint="/graphql",
        dev="true" if dev else "false",
        sign_in="true" if dev and sign_in else "false",
    )
    return HTMLResponse(
        text,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-cache",
        },
    )


class DevTokens:
    """``/dev/personas`` and ``/dev/token?persona=NAME`` over a development issuer."""

    def __init__(self, sign_in: DevSignIn) -> None:
        self.sign_in = sign_in

    async def personas(self, request: Request) -> Response:
        """The personas a developer can sign in as."""
        return JSONResponse({"personas": list(self.sign_in.personas())})

    async def token(self, request: Request) -> Response:
        """A bearer token for the persona named in the query string."""
        persona = request.query_params.get("persona", "")
        try:
            token = await self.sign_in.token(persona)
        except LookupError:
            known = ", ".join(self.sign_in.personas())
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": f"There is no persona {persona!r}; "
                            f"choose one of {known}.",
                            "extensions": {"code": "UNKNOWN_PERSONA"},
                        }
                    ]
                },
                status_code=404,
            )
        return JSONResponse(
            {"token": token, "tokenType": "Bearer"},
            headers={"Cache-Control": "no-store"},
        )


def routes(
    *, dev: bool, sign_in: DevSignIn | None, picker: bool | None = None
) -> list[BaseRoute]:
    """The routes of GraphiQL: ``/graphiql``, the static files, the dev sign-in.

    ``picker`` shows the persona picker; by default when ``sign_in`` is given.
    """
    show_picker = sign_in is not None if picker is None else picker

    async def graphiql(request: Request) -> Response:
        return page(request, dev=dev, sign_in=show_picker)

    served: list[BaseRoute] = [
        Route("/graphiql", graphiql, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    if dev and sign_in is not None:
        tokens = DevTokens(sign_in)
        served += [
            Route("/dev/personas", tokens.personas, methods=["GET"]),
            Route("/dev/token", tokens.token, methods=["GET"]),
        ]
    return served
