"""Context for every page: the site's identity (static, no query) and who is signed in."""

import functools
import time

from django.conf import settings

from cellule.models import SupportGroup
from organisation import policy, session_views
from project import menu
from ui import statements

SITE_CONFIG = {
    "site_title": "Cellule de suivi",
    "site_tagline": "Prévention de la radicalisation et accompagnement des familles",
    "header_brand": "Ministère<br>de l'Intérieur",
    "footer_brand": "république française",
    "footer_description": (
        "Outil de suivi des cellules préfectorales de prévention de la radicalisation "
        "et d'accompagnement des familles."
    ),
}


def site(request) -> dict:
    """DSFR's own context processor reads its configuration from the database on every page;
    ours is a constant, plus the signed-in user's primary membership (one query, cached)."""
    context = {"SITE_CONFIG": SITE_CONFIG, "PROCONNECT": settings.PROCONNECT}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["current_membership"] = membership = policy.scope(user).primary
        # Whether a member facilitates a support group (the menu's entry): asked once, when the menu reads it,
        # by a statement compiled once per scope (``ui.statements``).
        facilitates = functools.cache(lambda: bool(statements.row(
            ("support groups recorded", policy.scope(user).key),
            lambda: SupportGroup.objects.recordable_by(user).values("pk")[:1])))
        # The main menu's entries (project.menu), worked out when the header or the site map reads them.
        context["main_menu"] = functools.cache(lambda: menu.menu(request, membership, facilitates))
        # For the warning before the session ends (ui/static/ui/session.js): no query, the session is loaded.
        context["session_limits"] = session_views.deadlines(request, time.time())
    return context
