"""The real-browser harness: headless Chromium from the system, driven by Playwright.

Playwright never downloads a browser of its own here: we launch the system's Chromium (Debian's
``chromium`` package, installed by ``.ci/run``). Outside CI, a machine without Chromium skips
these tests with the reason; in CI a missing Chromium fails them.
"""

import os
import shutil
from contextlib import contextmanager

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("Chromium est introuvable : .ci/run doit installer le paquet Debian « chromium ».")
    pytest.skip("Chromium est introuvable sur cette machine (paquet Debian « chromium », ou variable CHROMIUM).")


@contextmanager
def browser_page(**options):
    """A fresh page of a headless Chromium (Playwright's page options: ``viewport``...); the browser
    closes with the block."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="fr-FR", **options)
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()
