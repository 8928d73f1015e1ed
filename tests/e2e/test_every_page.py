"""axe-core on every page of every role, at a desktop's and a phone's width (issue 28): the pages of the
form walk (each URL opened by its role, and the pages only a situation shows), the technical
administrator's admin site, and the refusal pages. No serious or critical violation, and at 375 px
nothing wider than the screen.

The pages are fetched by Django's test client first (the shared personas and cases, built once; no
query may run while Playwright's event loop does), then shown to Chromium at their own address with
their static files, through Playwright's routing: no live server, no flush of the database per page."""

import mimetypes
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from project.admin import admin_site
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations
from tests.project.test_audit_coverage import context, personas, shared  # noqa: F401
from tests.project.test_form_walk import SOURCES, _client

pytestmark = pytest.mark.browser
SITE = "http://testserver"
WIDTHS = (1280, 375)


def admin_pages(p, c) -> dict[str, tuple[str, str]]:
    """The admin site's index and each of its lists, for the technical administrator."""
    pages = {"admin:index": ("admin", reverse("admin:index"))}
    for model in admin_site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        pages[name] = ("admin", reverse(name))
    return pages


def fetched(p, c) -> dict[str, tuple[str, bytes]]:
    """Every page as its role receives it: its address and its HTML."""
    opened = {source: SOURCES[source](p, c)[:2] for source in SOURCES} | admin_pages(p, c)
    pages = {}
    for source, (role, page) in opened.items():
        if isinstance(page, str):
            page = _client(p, role).get(page, follow=True)
            address = page.redirect_chain[-1][0] if page.redirect_chain else page.request["PATH_INFO"]
        else:  # a page a POST answered
            address = page.request["PATH_INFO"]
        if page["Content-Type"].startswith("text/html"):
            pages[source] = (address, page.content)
    return pages


def serve(pages_by_path: dict[str, bytes]):
    def handler(route) -> None:
        path = route.request.url.removeprefix(SITE).split("?")[0].split("#")[0]
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/"))
            if found:
                route.fulfill(body=Path(found).read_bytes(),
                              content_type=mimetypes.guess_type(found)[0] or "application/octet-stream")
                return
        elif path in pages_by_path:
            route.fulfill(body=pages_by_path[path], content_type="text/html; charset=utf-8")
            return
        route.fulfill(status=404, body=b"")
    return handler


def test_axe_finds_no_serious_violation_on_any_page_of_any_role_at_either_width(personas, context):  # noqa: F811
    pages = fetched(personas, context)
    found: dict[str, list[str]] = {}
    with browser_page() as page:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for source, (address, html) in pages.items():
                page.unroute("**/*")
                page.route("**/*", serve({address.split("?")[0]: html}))
                page.goto(SITE + address)
                problems = blocking_violations(page)
                if not page.locator("h1").count():
                    problems.append("aucun titre : la page n'a pas été servie ?")
                wide = page.evaluate("document.documentElement.scrollWidth")
                if width == 375 and wide > 375:
                    problems.append(f"{wide} px de large")
                if problems:
                    found[f"{source} à {width} px"] = problems
    assert len(pages) > 110  # every page of the walk, the admin's too
    assert not found, "\n".join(f"{page}: {problems}" for page, problems in found.items())
