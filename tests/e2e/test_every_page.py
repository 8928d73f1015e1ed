"""axe-core on every page of every role, at a desktop's and a phone's width (issue 28): the pages of the
form walk (each URL opened by its role, and the pages only a situation shows), the technical
administrator's admin site, and the refusal pages. No serious or critical violation, and at 375 px
nothing wider than the screen.

The pages are fetched by Django's test client first (the shared personas and cases, built once; no
query may run while Playwright's event loop does), then shown to Chromium at their own address with
their static files, by a server of files in a thread (``site``): no live server, no flush of the
database per page."""

import mimetypes
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from project.admin import admin_site
from tests.e2e.browser import browser_page
from tests.e2e.test_accessibility import blocking_violations
from tests.project.test_audit_coverage import context, personas, shared  # noqa: F401
from tests.project.test_form_walk import SOURCES, _client
from tests.servers import in_thread

pytestmark = pytest.mark.browser
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


def site(shown: dict[str, bytes]) -> AbstractContextManager[str]:
    """A server in a thread, for Chromium: the page looked at (``shown``: its path and its HTML as Django
    answered it) and the static files, which Chromium keeps in its cache from one page to the next (Playwright's
    routing, which this replaced, disables that cache: every page fetched the DSFR's files again)."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = urlsplit(self.path).path
            found = finders.find(path.removeprefix("/static/")) if path.startswith("/static/") else None
            if found:
                kind = mimetypes.guess_type(found)[0]
                status, cache, body = 200, "max-age=3600", Path(found).read_bytes()
            elif path in shown:
                status, kind, cache, body = 200, "text/html; charset=utf-8", "no-store", shown[path]
            else:
                status, kind, cache, body = 404, "text/plain", "no-store", b""
            self.send_response(status)
            self.send_header("Content-Type", kind or "application/octet-stream")
            self.send_header("Cache-Control", cache)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return in_thread(Handler)


def test_axe_finds_no_serious_violation_on_any_page_of_any_role_at_either_width(personas, context):  # noqa: F811
    pages = fetched(personas, context)
    found: dict[str, list[str]] = {}
    shown: dict[str, bytes] = {}
    with browser_page() as page, site(shown) as address_of_site:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for source, (address, html) in pages.items():
                shown.clear()
                shown[address.split("?")[0]] = html
                page.goto(address_of_site + address)
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
