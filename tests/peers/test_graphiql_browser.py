"""GraphiQL in Debian's headless Chromium: it loads from our server, runs a query.

The page is served by a real uvicorn server on 127.0.0.1 in dev mode, with a
development sign-in. The browser picks a persona (which fills the Authorization
header), runs a query and sees the result, opens the query plan, and the page
breaks no rule of its Content-Security-Policy.
"""

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.requests import Request

from auth.errors import Unauthenticated
from auth.viewer import ANONYMOUS, AssuranceLevel, Viewer
from gateway.app import create_app
from gateway.settings import Settings
from subgraphs.population import persona
from tests.gateway.support import SchemaExecutor, factory_of, live_server
from tests.peers.chromium import CHROMIUM, Chromium
from tests.peers.citizen_stack import seed, serve_spec
from tests.peers.servers import running_servers

pytestmark = [
    pytest.mark.peers,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing"),
]

PERSONAS = ("parent", "single")
PLAN_BUTTON = '[aria-label="Show Query plan"]'
EXPLORER_BUTTON = '[aria-label="Show GraphiQL Explorer"]'
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class FakeIssuer:
    """A development issuer whose tokens name the persona."""

    def personas(self) -> Sequence[str]:
        return PERSONAS

    async def token(self, persona: str) -> str:
        if persona not in PERSONAS:
            raise LookupError(persona)
        return f"token-of-{persona}"


async def authenticate(request: Request) -> Viewer:
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    token = header.removeprefix("Bearer ")
    if not token.startswith("token-of-"):
        raise Unauthenticated("The bearer token is not valid.")
    persona = token.removeprefix("token-of-")
    return Viewer(subject=persona, person_id=None, assurance=AssuranceLevel.HIGH)


@pytest.fixture
def server() -> Iterator[str]:
    app = create_app(
        Settings.from_env({}),
        factory_of(SchemaExecutor()),
        dev=True,
        authenticate=authenticate,
        dev_sign_in=FakeIssuer(),
    )
    with live_server(app) as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    with Chromium(tmp_path / "profile") as chromium:
        chromium.send("Emulation.setDeviceMetricsOverride", _viewport())
        chromium.send("Page.addScriptToEvaluateOnNewDocument", {"source": VIOLATIONS})
        yield chromium


def _viewport() -> dict[str, object]:
    return {"width": 1366, "height": 820, "deviceScaleFactor": 1, "mobile": False}


def _response_text(browser: Chromium) -> str:
    text: str = browser.wait_for(
        "(() => { const e = document.querySelector('.graphiql-response .CodeMirror');"
        " return e && e.CodeMirror.getValue(); })()"
    )
    return text


def test_graphiql_runs_a_query_as_a_persona(
    server: str, browser: Chromium, tmp_path: Path
) -> None:
    query = 'query Whoami {\n  viewer\n  hello(name: "Chromium")\n}\n'
    browser.send("Page.navigate", {"url": f"{server}/graphql?query={quote(query)}"})
    browser.wait_for("document.querySelector('.graphiql-execute-button') !== null")
    browser.wait_for("document.querySelectorAll('select option').length === 3")

    browser.evaluate(
        "(() => { const s = document.querySelector('select');"
        " s.value = 'parent'; s.dispatchEvent(new Event('change', {bubbles: true}));"
        " })()"
    )
    headers = browser.wait_for(
        "[...document.querySelectorAll('.CodeMirror')]"
        ".map(e => e.CodeMirror.getValue()).find(v => v.includes('Authorization'))"
    )
    assert json.loads(headers) == {"Authorization": "Bearer token-of-parent"}

    browser.evaluate("document.querySelector('.graphiql-execute-button').click()")
    browser.wait_for(
        "(() => { const e = document.querySelector('.graphiql-response .CodeMirror');"
        " return e && e.CodeMirror.getValue().includes('Chromium'); })()"
    )
    result = json.loads(_response_text(browser))
    assert result == {"data": {"viewer": "parent", "hello": "Hello, Chromium!"}}

    browser.screenshot(tmp_path / "graphiql.png")
    assert browser.evaluate("window.__violations") == []


def test_graphiql_shows_the_query_plan(
    server: str, browser: Chromium, tmp_path: Path
) -> None:
    query = "{ hello }"
    browser.send("Page.navigate", {"url": f"{server}/graphiql?query={quote(query)}"})
    browser.wait_for(f"document.querySelector({PLAN_BUTTON!r}) !== null")

    browser.evaluate(f"document.querySelector({PLAN_BUTTON!r}).click()")
    browser.wait_for("document.querySelector('.cg-plan button') !== null")
    browser.evaluate("document.querySelector('.cg-plan button').click()")
    plan = browser.wait_for(
        "(() => { const e = document.querySelector('.cg-plan-text');"
        " return e && e.textContent.includes('QueryPlan') && e.textContent; })()"
    )
    as_json = browser.evaluate("document.querySelector('.cg-plan-json').textContent")

    browser.screenshot(tmp_path / "plan.png")
    assert plan == 'QueryPlan (fetches: ["test"])'
    assert json.loads(as_json) == {"kind": "QueryPlan", "fetches": ["test"]}
    assert browser.evaluate("window.__violations") == []


def test_graphiql_explorer_lists_the_root_fields(
    server: str, browser: Chromium
) -> None:
    browser.send("Page.navigate", {"url": f"{server}/graphiql"})
    browser.wait_for(f"document.querySelector({EXPLORER_BUTTON!r}) !== null")

    browser.evaluate(f"document.querySelector({EXPLORER_BUTTON!r}).click()")
    text = browser.wait_for(
        "(() => { const e = document.querySelector('.docExplorerWrap');"
        " return e && e.textContent.includes('hello') && e.textContent; })()"
    )

    assert "items" in text
    assert browser.evaluate("window.__violations") == []


@pytest.fixture(scope="module")
def citizen_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``citizen-graph serve --dev`` on a small seeded population; its base URL."""
    data = seed(tmp_path_factory.mktemp("graphiql") / "data", citizens=12)
    with running_servers([serve_spec(data)]) as [gateway]:
        yield gateway.base_url


def _choose(browser: Chromium, label: str, value: str) -> None:
    selector = f"select[aria-label={label!r}]"
    browser.wait_for(f"document.querySelector({selector!r}) !== null")
    browser.evaluate(
        f"(() => {{ const s = document.querySelector({selector!r});"
        f" s.value = {value!r};"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


ACTING_TOKEN_IN_HEADERS = """
[...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror.getValue())
  .some(v => {
    try {
      const payload = JSON.parse(v).Authorization.split(' ')[1].split('.')[1];
      return atob(payload.replace(/-/g, '+').replace(/_/g, '/')).includes('act_for');
    } catch (error) {
      return false;
    }
  })
"""
"""True once the headers hold a token that acts for someone."""


def test_graphiql_signs_in_acting_for_another_persona(
    citizen_graph: str, browser: Chromium
) -> None:
    query = "query Whom {\n  me {\n    personId\n  }\n}\n"
    url = f"{citizen_graph}/graphql?query={quote(query)}"
    browser.send("Page.navigate", {"url": url})
    browser.wait_for("document.querySelector('.graphiql-execute-button') !== null")
    browser.wait_for("document.querySelectorAll('select option').length > 3")

    _choose(browser, "Persona", "attorney")
    _choose(browser, "Acting for", "pensioner")
    browser.wait_for(ACTING_TOKEN_IN_HEADERS)
    browser.evaluate("document.querySelector('.graphiql-execute-button').click()")
    browser.wait_for(
        "(() => { const e = document.querySelector('.graphiql-response .CodeMirror');"
        " return e && e.CodeMirror.getValue().includes('personId'); })()"
    )

    result = json.loads(_response_text(browser))
    assert result == {"data": {"me": {"personId": persona("pensioner").person_id}}}
    assert browser.evaluate("window.__violations") == []
