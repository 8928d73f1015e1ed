"""The inspectors' table of events (``inspection/_events_table.html``), its rows written here.

A page of the audit search shows 50 events, each with its rank, its date, its author with their role, its
département and its description, with links to the author's activity and to the case: written by the
template, the table's variables and filters cost the page more than everything else it does (about
13 ms of its 45, docs/performance.md). ``{% event_rows events link_users link_cases %}`` writes the same
markup, each value escaped, each address reversed once per page."""

from collections.abc import Callable, Iterable

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from audit import events as audit_events
from organisation.models import Role

register = template.Library()
ROLES = dict(Role.choices)


def _reversed(name: str) -> Callable[[str], str]:
    """``reverse(name, args=[value])``, once for each value; "" for a value that has no address (a name with a
    slash, which a row written around the recorder may hold)."""
    known: dict[str, str] = {}

    def address(value: str) -> str:
        if value not in known:
            try:
                known[value] = reverse(name, args=[value])
            except NoReverseMatch:
                known[value] = ""
        return known[value]
    return address


@register.simple_tag
def event_rows(events: Iterable, link_users: bool = False, link_cases: bool = False) -> SafeString:
    """The table's rows: one per event, or the one that says there is none."""
    activity, timeline = _reversed("inspection:user_activity"), _reversed("inspection:case_timeline")
    rows = []
    for e in events:
        author = (format_html('<a href="{}">{}</a>', activity(e.actor_label), e.actor_label)
                  if e.actor_id and link_users and activity(e.actor_label) else e.actor_label)
        if e.actor_role:
            role = ROLES.get(e.actor_role, e.actor_role)
            author = format_html('{} <span class="fr-text--xs">({}{})</span>', author, role,
                                 f", {e.actor_cell}" if e.actor_cell else "")
        description = audit_events.describe(e.action, e.details)
        if link_cases and e.case_reference and timeline(e.case_reference):
            description = format_html('{} — <a href="{}">{}</a>', description, timeline(e.case_reference),
                                      e.case_reference)
        elif link_cases and isinstance(e.details, dict) and e.details.get("signalement"):
            description = format_html("{} — {}", description, e.details["signalement"])
        rank = getattr(getattr(e, "seal", None), "seq", None) or "—"
        rows.append((rank, timezone.localtime(e.time).strftime("%d/%m/%Y %H:%M:%S"), author, e.departement or "—",
                     description))
    if not rows:
        return format_html('<tr><td colspan="5">{}</td></tr>', "Aucun événement.")
    return format_html_join("\n", '<tr><td data-label="Rang">{}</td><td data-label="Date (heure de Paris)">{}</td>'
                            '<td data-label="Auteur">{}</td><td data-label="Département">{}</td>'
                            '<td data-label="Événement">{}</td></tr>', rows)
