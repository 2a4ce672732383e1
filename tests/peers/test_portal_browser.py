"""My Page in Debian's headless Chromium, against a real ``citizen-graph serve``.

The gateway runs as its own process on a seeded data folder, once in development
mode (the persona picker signs in through the development issuer) and once in
production mode (trusted documents enforced, tokens of an issuer configured by
``CITIZEN_GRAPH_OIDC_ISSUER`` with a key file). In both the page shows the
parent's children, payslips and home and the access log, every request it sends
to ``/graphql`` names a persisted document and carries no query text, and the page
breaks no rule of its Content-Security-Policy. Screenshots land in the test's
temporary folder.
"""

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.dev_issuer import DevIssuer
from auth.keys import generate
from auth.viewer import AssuranceLevel
from subgraphs.population import persona
from tests.peers.chromium import CHROMIUM, Chromium
from tests.peers.citizen_stack import production_spec, seed, serve_spec
from tests.peers.servers import (
    LOOPBACK,
    RunningServer,
    running_servers,
)

pytestmark = [
    pytest.mark.peers,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing"),
]

ISSUER = "urn:citizen-graph:portal-peer-test"
AUDIENCE = "citizen-graph"
TOKEN_KEY = "citizen-graph.token"
CHILDREN = ("Ida", "Oscar")
"""The first names of the parent's two children in the synthetic population."""

VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass(frozen=True)
class Gateways:
    """Both gateways, and a token of the production gateway's issuer."""

    dev: RunningServer
    production: RunningServer
    token: str


@pytest.fixture(scope="module")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateways]:
    """``citizen-graph serve --dev`` and ``citizen-graph serve``, started together.

    Each gets its own copy of one seeded data folder.
    """
    workdir = tmp_path_factory.mktemp("portal")
    dev_data = seed(workdir / "dev", citizens=12)
    production_data = Path(shutil.copytree(dev_data, workdir / "production"))
    issuer = DevIssuer(generate("RS256"), issuer=ISSUER, audience=AUDIENCE)
    token = issuer.issue(persona("parent").person_id, AssuranceLevel.SUBSTANTIAL)
    jwks = workdir / "jwks.json"
    jwks.write_text(json.dumps(issuer.jwks()), encoding="utf-8")
    specs = [
        serve_spec(dev_data),
        production_spec(production_data, ISSUER, audience=AUDIENCE, jwks_file=jwks),
    ]
    with running_servers(specs) as (dev, production):
        yield Gateways(dev, production, token)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    with Chromium(tmp_path / "profile") as chromium:
        chromium.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False},
        )
        chromium.send("Page.addScriptToEvaluateOnNewDocument", {"source": VIOLATIONS})
        chromium.send("Network.enable")
        yield chromium


def graphql_requests(browser: Chromium, base_url: str) -> list[dict[str, Any]]:
    """The requests the page sent to ``/graphql``, from DevTools Network events."""
    found = []
    for event in browser.events:
        if event.get("method") != "Network.requestWillBeSent":
            continue
        request = event["params"]["request"]
        if request["url"].split("?", 1)[0] == f"{base_url}/graphql":
            found.append(request)
    return found


def text_of(browser: Chromium, section: str) -> str:
    text: str = browser.evaluate(f"document.querySelector('#{section}').innerText")
    return text


def assert_parents_page(browser: Chromium, base_url: str) -> None:
    """The parent's overview, sent as persisted operations only."""
    browser.wait_for("document.body?.dataset.ready === 'true'")

    children = text_of(browser, "children")
    assert all(name in children for name in CHILDREN), children
    economy = text_of(browser, "economy")
    assert "26.067" in economy, economy  # the net pay, in Danish notation
    assert "Mølle Regionshospital" in economy, economy  # the payer
    housing = text_of(browser, "housing")
    assert "2000001" in housing, housing  # the BFE number of the family home
    log = text_of(browser, "access-log")
    assert "MyPageChildren" in log, log  # this very visit, by the parent herself
    assert "you" in log, log
    assert "Mette" in text_of(browser, "profile")
    # The teen is 15 or older: her health data is hers alone, and the page says so
    # in her box; nothing else on the page is missing.
    notices = browser.evaluate(
        "[...document.querySelectorAll('.notice')]"
        ".map(n => [n.closest('.child, section').querySelector('h3, h2').textContent,"
        " n.textContent])"
    )
    assert len(notices) == 1, notices
    assert notices[0][0].startswith("Ida ")
    assert notices[0][1].startswith("Health data: not shown to you.")

    requests = graphql_requests(browser, base_url)
    assert len(requests) == 6, requests
    for request in requests:
        assert request["method"] == "POST"
        body = json.loads(request["postData"])
        assert body["documentId"].startswith("sha256:")
        assert "query" not in body
        assert request["headers"]["authorization"].startswith("Bearer ")
    assert browser.evaluate("window.__violations") == []


def test_the_parent_signs_in_with_the_persona_picker(
    gateways: Gateways, browser: Chromium, tmp_path: Path
) -> None:
    base = gateways.dev.base_url
    browser.send("Page.navigate", {"url": f"{base}/"})
    browser.wait_for(
        "document.querySelectorAll('#persona option').length > 1"
        " && document.querySelector('#dev-sign-in')?.hidden === false"
    )
    browser.screenshot(tmp_path / "sign-in.png")
    browser.evaluate("document.querySelector('#persona').value = 'parent'")
    browser.evaluate("document.querySelector('#sign-in-button').click()")

    assert_parents_page(browser, base)
    browser.screenshot(tmp_path / "my-page-dev.png")

    browser.evaluate("document.querySelector('#sign-out').click()")
    assert browser.evaluate("document.querySelector('#overview').hidden")
    assert browser.evaluate(f"sessionStorage.getItem({TOKEN_KEY!r})") is None
    # Nothing of the parent's stays in the page once she has signed out.
    assert "Mette" not in browser.evaluate("document.body.textContent")


def test_the_persona_can_be_named_in_the_address_on_a_phone(
    gateways: Gateways, browser: Chromium, tmp_path: Path
) -> None:
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 2400, "deviceScaleFactor": 1, "mobile": True},
    )
    browser.send("Page.navigate", {"url": f"{gateways.dev.base_url}/?persona=parent"})

    assert_parents_page(browser, gateways.dev.base_url)
    browser.screenshot(tmp_path / "my-page-phone.png")
    # Wide tables scroll inside their card; the page itself never scrolls sideways.
    assert browser.evaluate("document.documentElement.scrollWidth") == 390


def test_the_page_works_in_production_with_an_issuers_token(
    gateways: Gateways, browser: Chromium, tmp_path: Path
) -> None:
    base = gateways.production.base_url
    browser.send("Page.navigate", {"url": f"{base}/"})
    browser.wait_for("document.querySelector('#broker-sign-in')?.hidden === false")
    assert browser.evaluate("document.querySelector('#dev-sign-in').hidden")
    browser.screenshot(tmp_path / "sign-in-production.png")

    browser.evaluate(
        f"sessionStorage.setItem({TOKEN_KEY!r}, {json.dumps(gateways.token)})"
    )
    browser.send("Page.reload")

    assert_parents_page(browser, base)
    browser.screenshot(tmp_path / "my-page-production.png")


def test_a_refused_token_sends_the_citizen_back_to_sign_in(
    gateways: Gateways, browser: Chromium, tmp_path: Path
) -> None:
    base = gateways.production.base_url
    browser.send("Page.navigate", {"url": f"{base}/"})
    browser.wait_for("document.querySelector('#broker-sign-in')?.hidden === false")
    stranger = DevIssuer(generate("ES256"), issuer=ISSUER, audience=AUDIENCE)
    forged = stranger.issue(persona("parent").person_id)
    browser.evaluate(f"sessionStorage.setItem({TOKEN_KEY!r}, {json.dumps(forged)})")
    browser.send("Page.reload")

    message = browser.wait_for(
        "(() => { const e = document.querySelector('#sign-in-error');"
        " return e && !e.hidden && e.textContent; })()"
    )
    browser.screenshot(tmp_path / "refused.png")
    assert message.startswith("Please sign in again. ")
    assert browser.evaluate("document.querySelector('#overview').hidden")
    assert browser.evaluate(f"sessionStorage.getItem({TOKEN_KEY!r})") is None


def test_production_refuses_free_text_queries(gateways: Gateways) -> None:
    response = httpx.post(
        f"{gateways.production.base_url}/graphql",
        json={"query": "{ me { name { firstNames } } }"},
        headers={"authorization": f"Bearer {gateways.token}"},
        trust_env=False,
    )

    payload = response.json()
    assert "data" not in payload or payload["data"] is None
    codes = [error["extensions"]["code"] for error in payload["errors"]]
    assert codes == ["PERSISTED_QUERY_NOT_ALLOWED"]


def test_production_has_no_development_sign_in(gateways: Gateways) -> None:
    base = gateways.production.base_url
    assert LOOPBACK in base
    for path in ("/dev/token?persona=parent", "/dev/personas"):
        assert httpx.get(base + path, trust_env=False).status_code == 404
