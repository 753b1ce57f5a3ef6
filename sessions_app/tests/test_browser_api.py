"""The API's pages in chromium, under the site's Content-Security-Policy: the index, a session in DRF's
browsable API, a list with its filters, and the Swagger UI at /api/docs/, each rendered with no console error
(a script or a style the CSP refused would log one). Screenshots at 1280 and 390 px go to
artifacts/screenshots/ (api-*.png)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from enrichment.tests.helpers import enrich_now, imported
from sessions_app.tests.test_browser import (  # noqa: F401  (fixtures, used by name)
    Console,
    enrichment_worker,
    file_database,
    page,
    pytestmark,
    screenshot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_the_browsable_api_and_its_docs_render_under_the_csp_without_console_errors(
    page: Page,  # noqa: F811 (the fixture imported above)
    live_server,
    tmdb_double,
):
    tab = page
    console = Console(tab)
    csp: list[str] = []
    tab.on(
        "response",
        lambda r: (
            csp.append(r.headers.get("content-security-policy", "")) if r.request.resource_type == "document" else None
        ),
    )
    session = enrich_now(imported([("Memento", 2000), ("Fight Club", 1999)]))
    api = f"{live_server.url}/api"

    tab.goto(f"{api}/")
    assert "session" in tab.inner_text("body")
    screenshot(tab, "api-index")

    tab.goto(f"{api}/session/{session.public_id}")
    assert tab.locator(".response-info").count() == 1  # DRF's browsable page, not raw JSON
    assert str(session.public_id) in tab.inner_text(".response-info")
    assert tab.evaluate("getComputedStyle(document.querySelector('.navbar')).display") != "inline"  # its CSS applied
    screenshot(tab, "api-session")

    tab.goto(f"{api}/session/{session.public_id}/movies?genre=Drama")
    assert "Fight Club" in tab.inner_text(".response-info")
    screenshot(tab, "api-movies")

    tab.goto(f"{api}/docs/")
    tab.wait_for_selector(".swagger-ui .opblock", timeout=15_000)  # the UI ran and read the schema
    assert tab.locator(".swagger-ui .opblock").count() >= 8
    screenshot(tab, "api-docs")

    assert all(policy for policy in csp), "every page is served under the CSP"
    assert console.errors == []
