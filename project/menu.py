"""The main menu's entries for the signed-in user's role: the header's navigation and the site map.

Which entries a role sees, their labels and addresses are the same at every page: they are worked out once
per worker for each role and cellule (the URLs reversed then), and each page only says which entry is the
section it belongs to (``aria-current``, RGAA 12.3)."""

import functools
from collections.abc import Callable

from django.urls import reverse
from django.utils.safestring import mark_safe

from organisation.models import Role

# When a page belongs to an entry's section: (namespace, "" for none, None for any; the pages' names, None
# for all; the pages' names excepted).
Section = tuple[str | None, frozenset[str] | None, frozenset[str]]


def _section(namespace: str | None, pages: tuple[str, ...] | None = None, but: tuple[str, ...] = ()) -> Section:
    return namespace, frozenset(pages) if pages is not None else None, frozenset(but)


NEVER = _section("-", ())
CASES = ("Signalements", "cases:list", _section("cases"))
SEARCH = ("Rechercher", "search", _section("", ("search",)))
SUPPORT_GROUPS = ("Groupes de parole", "support_groups:list", _section("support_groups"))


@functools.cache
def entries(role: str, departement_code: str | None, facilitates: bool) -> tuple[tuple[str, str, Section], ...]:
    """(label, address, section) of each entry the role sees, in the menu's order."""
    found = [("Accueil", "home", _section("", ("home",)))]
    if departement_code is not None or role == Role.INSPECTOR:
        found += [CASES, SEARCH]
    if departement_code is not None:
        found += [("Tâches", "workflows:inbox", _section("workflows")),
                  ("Ma cellule", "cell_detail", _section(None, ("cell_detail", "composition_export")))]
    roles: dict[str, list] = {
        Role.MOBILE_TEAM: [("Demandes d'intervention", "mobile_team:queue",
                            _section("mobile_team", but=("dashboard",))),
                           ("Tableau de bord", "mobile_team:dashboard", _section("mobile_team", ("dashboard",)))],
        Role.INSPECTOR: [("Journal d'audit", "inspection:search", _section("inspection", but=("inspection_reads",))),
                         ("Alertes de lecture", "vigilance:list", _section("vigilance"))],
        Role.COORDINATOR: [("Alertes de lecture", "vigilance:list", _section("vigilance")),
                           ("Réunions", "meetings:list", _section("meetings")), SUPPORT_GROUPS,
                           ("Comptes rendus mensuels", "reports:list", _section("reports")),
                           ("Crédits FIPD", "funding:list", _section("funding")),
                           ("Consultations de l'inspection", "inspection:inspection_reads",
                            _section("inspection", ("inspection_reads",)))],
        Role.MEMBER: [SUPPORT_GROUPS] if facilitates else [],
        Role.NATIONAL: [("Consolidation nationale", "national:view", _section("national")),
                        ("Crédits FIPD", "funding:national", _section("funding")),
                        ("Mandats d'inspection", "mandates", _section(None, ("mandates", "mandate_approve")))],
        Role.ADMIN: [("Comptes", "account_list",
                      _section(None, ("account_list", "account_create", "account_detail", "account_edit"))),
                     ("Données de référence", "admin:index", NEVER)],
    }
    found += roles.get(role, [])
    # The labels are this module's constants, written as the template wrote them (an apostrophe unescaped).
    return tuple((mark_safe(label),  # noqa: S308 (the labels above)
                  reverse(name, args=[departement_code] if name == "cell_detail" else None), section)
                 for label, name, section in found)


def current(section: Section, namespace: str, page: str | None) -> bool:
    """Whether the page (its URL's namespace and name) belongs to the section."""
    wanted, pages, but = section
    return ((wanted is None or wanted == namespace) and (pages is None or page in pages) and page not in but)


def menu(request, membership, facilitates: Callable[[], bool]) -> list[tuple[str, str, bool]]:
    """(label, address, whether the page is in its section) of each entry, for the signed-in user's
    ``membership`` (the one that speaks for them); ``facilitates`` is asked of members only."""
    if membership is None:
        return []
    code = membership.cell.departement.code if membership.cell is not None else None
    match = request.resolver_match
    namespace, page = (match.namespace, match.url_name) if match is not None else ("", None)
    listed = entries(membership.role, code, membership.role == Role.MEMBER and facilitates())
    return [(label, url, current(section, namespace, page)) for label, url, section in listed]
