"""Saved views of the lists (the case list, the task lists): their filters and sort under a name.

A view is its author's; shared, every person of its cellule may open it, and nobody else (a view of
another cellule answers 404 like a missing one). A coordinator may make a shared view the one the
cellule's coordinators or members open a list with when they give it no filter of their own. The
view's name and filters are typed text, which the trail does not keep (docs/architecture.md): its
events name the list only. A shared view carries no search by name, which would tell the cellule
whom its author looked for.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, QueryDict

import audit
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell, Role
from organisation.policy import Actor, user_id
from ui import statements
from workflows.models import SavedView
from workflows.rules import ViewRight, views_visible_to

Page = SavedView.Page
_TASK_KEYS = ("type", "echeance", "tri")
# The filters and sort each list reads: a view keeps these and nothing else.
KEYS: dict[str, tuple[str, ...]] = {
    Page.CASES: ("q", "state", "source", "referent"),
    Page.MINE: _TASK_KEYS, Page.QUEUE: _TASK_KEYS, Page.DONE: _TASK_KEYS,
    Page.CELLULE: (*_TASK_KEYS, "signalees"),
}
NONE = "aucune"  # ``?vue=aucune``: the list without its default view
DEFAULT_ROLES: dict[str, str] = {Role.COORDINATOR: "coordonnateurs", Role.MEMBER: "membres"}


def clean_query(page: str, data: Mapping[str, str]) -> str:
    """The list's own filters of ``data``, those given, in a fixed order."""
    kept = QueryDict(mutable=True)
    for key in KEYS[page]:
        value = str(data.get(key, "")).replace("\x00", "").strip()[:100]
        if value:
            kept[key] = value
    return kept.urlencode()


def searches_names(text: str) -> bool:
    """A searched text with a word without a digit: a name or a commune, which neither the trail nor a
    shared view keeps (a reference, every word with a digit, is kept)."""
    return not all(any(c.isdigit() for c in word) for word in text.split())


def cell_for_views(user: Actor) -> Cell | None:
    """The cellule whose views the user keeps: the one of the membership that speaks for them."""
    s = policy.scope(user)
    cells = sorted((m for m in s.memberships if m.cell is not None),
                   key=lambda m: (m.cell_id not in s.coordinated_cell_ids, m.pk))  # the one they coordinate first
    return cells[0].cell if cells else None


def save_view(actor: User, page: str, name: str, query: str, shared: bool = False,
              default_for: str = "") -> SavedView:
    """Keep a list's filters and sort under a name, in the author's cellule; a role's default is shared
    and replaces the one the cellule had for that role and list."""
    cell = cell_for_views(actor)
    with transaction.atomic():
        policy.require(actor, ViewRight.SAVE_VIEW, cell)  # anyone without a cellule is refused here
        if cell is None:
            raise policy.AccessDenied(actor, ViewRight.SAVE_VIEW)
        if page not in KEYS:
            raise ActionRefused("Cette liste ne peut pas être enregistrée.")
        name = name.replace("\x00", "").strip()
        if not name or len(name) > 80:
            raise ActionRefused("Donnez à la vue un nom de 80 caractères au plus.")
        query = clean_query(page, QueryDict(query))
        if default_for:
            if default_for not in DEFAULT_ROLES:
                raise ActionRefused("Choisissez les coordonnateurs ou les membres.")
            policy.require(actor, ViewRight.SET_DEFAULT_VIEW, cell)
            shared = True
        if shared and searches_names(QueryDict(query).get("q", "")):
            raise ActionRefused("Une vue partagée ne peut pas chercher un nom ou une commune : retirez le texte "
                                "recherché, ou gardez la vue pour vous.")
        if default_for:
            SavedView.objects.filter(cell=cell, page=page, default_for=default_for).update(default_for="")
        view = SavedView.objects.create(owner=actor, cell=cell, page=page, name=name, query=query, shared=shared,
                                        default_for=default_for)
        audit.record("view.save", obj=view, actor=actor, departement=cell.departement.code, details={
            "liste": view.get_page_display(), "partagée": "oui" if shared else "non",
            **({"par défaut": DEFAULT_ROLES[default_for]} if default_for else {})})
    return view


def delete_view(actor: Actor, view: SavedView) -> None:
    """Its author removes a view; the cellule's people who opened it shared lose it too."""
    with transaction.atomic():
        policy.require(actor, ViewRight.CHANGE_VIEW, view)
        audit.record("view.delete", obj=view, actor=actor, departement=view.cell.departement.code,
                     details={"liste": view.get_page_display()})
        view.delete()


@dataclass
class Chosen:
    """What a list shows: the filters it applies (``query``), the saved view they come from, if any
    (``current``), and the views the reader may open on this list."""

    query: QueryDict
    current: SavedView | None = None
    views: list[SavedView] = field(default_factory=list)
    default: bool = False  # the view is the reader's role's default, applied for want of filters


def choose(request: HttpRequest, page: str) -> Chosen:
    """The filters of a list's request: those of ``?vue=<id>`` (404 outside the reader's views), else
    those given, else their role's default view in their cellule (one query, its statement kept per person and
    scope: ``ui.statements``)."""
    user = request.user
    views = statements.instances(("saved views", user_id(user), policy.scope(user).key, page),
                                 lambda: views_visible_to(user).filter(page=page).select_related("owner"))
    wanted = request.GET.get("vue", "")
    chosen = Chosen(query=request.GET.copy(), views=views)
    if wanted == NONE:
        chosen.query.pop("vue")
        return chosen
    if wanted:
        found = SavedView.objects.filter(page=page).select_related("cell__departement")
        chosen.current = policy.get_or_404(user, ViewRight.OPEN_VIEW, found, pk=int(wanted) if wanted.isdigit() else 0)
    elif not any(request.GET.get(key) for key in KEYS[page]):
        roles = {m.cell_id: m.role for m in policy.scope(user).memberships if m.cell_id}
        chosen.current = next((v for v in views if v.default_for and roles.get(v.cell_id) == v.default_for), None)
        chosen.default = chosen.current is not None
    if chosen.current is not None:
        chosen.query = QueryDict(chosen.current.query, mutable=True)
        if wanted:  # the pages that follow keep showing it
            chosen.query["vue"] = wanted
    return chosen


def context(request: HttpRequest, chosen: Chosen, page_name: str) -> dict:
    """What a list's bar of saved views needs (``workflows/_saved_views.html``)."""
    cell = cell_for_views(request.user)
    return {"chosen": chosen, "page": page_name, "here": request.path, "none": NONE,
            "filters": clean_query(page_name, chosen.query),
            "can_save": cell is not None, "user_id": request.user.pk,
            "roles": DEFAULT_ROLES.items()
            if cell is not None and policy.can(request.user, ViewRight.SET_DEFAULT_VIEW, cell) else ()}
