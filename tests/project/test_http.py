"""HTTP hardening: a strict content security policy that the pages keep (no inline script, style or
event handler), headers that keep pages out of caches and frames, `check --deploy` clean."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style", re.I)


def pages(personas) -> list[tuple[str, str]]:
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    return [
        (None, reverse("login")),
        ("coord_a", reverse("home")), ("coord_a", reverse("cases:list")),
        ("coord_a", reverse("cases:detail", args=[case.pk])), ("coord_a", reverse("workflows:inbox")),
        ("coord_a", reverse("cell_detail", args=["93"])), ("coord_a", "/reunions/"),
        ("coord_a", "/page-qui-n-existe-pas/"),
        ("inspector", reverse("inspection:search")), ("inspector", reverse("inspection:integrity")),
        ("national", reverse("mandates")), ("national", reverse("national:view")),
        ("admin", reverse("admin:index")), ("admin", reverse("account_detail", args=[personas.member_a.pk])),
    ] + [(None, reverse(f"legal:{page}")) for page in ("sitemap", "accessibility", "notice", "personal_data",
                                                        "cookies")]


def test_every_page_keeps_the_strict_policy_and_stays_out_of_caches(client, personas):
    for who, url in pages(personas):
        client.logout()
        if who:
            client.force_login(getattr(personas, who))
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        html = response.content.decode()
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in f"{policy};" and "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        for rule, found in [("script inline", INLINE_SCRIPT), ("gestionnaire d'événement", EVENT_HANDLER),
                            ("style inline", INLINE_STYLE)]:
            assert not found.search(html), (url, rule, found.search(html) and found.search(html).group(0))
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
        assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("extra,clean", [({}, True), ({"SECURE_SSL_REDIRECT": "0"}, False)])
def test_check_deploy_is_clean_with_production_settings(tmp_path, extra, clean):
    """Production as docs/security.md describes it: no demo, no DEBUG, a real secret. Turning HTTPS
    off is caught."""
    env = {"PATH": os.environ["PATH"], "DEMO": "0", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60),
           "ALLOWED_HOSTS": "cellule.interieur.gouv.fr", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "ATTACHMENTS_ROOT": str(tmp_path / "attachments"), **extra}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert (result.returncode == 0) is clean, result.stderr
