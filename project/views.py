"""The home page, one per role; the page where an invited person chooses a password; the legal pages."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Q, QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

import audit
from cases.models import Case, State
from mobile_team.models import MobileTeamRequest
from organisation import policy, sessions
from organisation.models import Cell, Departement, Institution, InstitutionProposal, Membership, Role
from organisation.policy import Actor, user_id
from organisation.rules import OrganisationRight, cells_visible_to, memberships_visible_to
from ui import counts, statements
from ui.counts import counted, shown
from ui.french import count
from vigilance.rules import alerts_visible_to
from workflows.rules import tasks_claimable_by, tasks_escalated_to, tasks_held_by


def home(request):
    """Each role's home page (the role that speaks for the user, ``policy.Scope.primary``), with what
    it shows of their work."""
    primary = policy.scope(request.user).primary
    if primary is None:
        return render(request, "home/no_role.html", status=403)
    template, extra = HOMES[primary.role]
    return render(request, f"home/{template}.html", {"membership": primary, "today": timezone.localdate(),
                                                     **extra(request, primary)})


def _cellule_home(request, primary) -> dict:
    # The composition card names the cellule's people: a read, as on the composition's page.
    audit.record("cell.view", obj=primary.cell, departement=primary.cell.departement.code, details={"page": "accueil"})
    composition = _composition(request.user, primary.cell)
    return {"composition": composition, "counts": _work_counts(request.user),
            **_parquet_missing(request.user, primary, composition)}


# What the composition's card shows of each membership, of its person and of its institution.
SHOWN = {"pk": "id", "function": "function", "role": "role", "radicalisation_referent": "radicalisation_referent"}
SHOWN_PERSON = {"user_id": "id", "user__first_name": "first_name", "user__last_name": "last_name",
                "user__username": "username"}
SHOWN_INSTITUTION = {"institution_id": "id", "institution__name": "name", "institution__category": "category"}


def _composition(user: Actor, cell) -> list[Membership]:
    """The cellule's composition today, as its card shows it: one statement compiled once per person, scope and
    day (``ui.statements``), whose rows become the memberships, people and institutions the card reads (with
    only the fields it shows, the others deferred as ``only()`` defers them)."""
    today, columns = timezone.localdate(), [*SHOWN, *SHOWN_PERSON, *SHOWN_INSTITUTION]
    found = statements.rows(("composition", user_id(user), today, policy.scope(user).key, cell.pk),
                            lambda: memberships_visible_to(user).filter(cell=cell).active(today).values_list(*columns))
    composition = []
    for row in found:
        values = dict(zip(columns, row, strict=True))
        membership = _deferred(Membership, {SHOWN[name]: values[name] for name in SHOWN})
        membership.user = _deferred(User, {SHOWN_PERSON[name]: values[name] for name in SHOWN_PERSON})
        membership.institution = _deferred(Institution, {SHOWN_INSTITUTION[n]: values[n] for n in SHOWN_INSTITUTION})
        composition.append(membership)
    return composition


def _deferred(model, values: dict):
    """A row of ``model`` loaded with these fields' values, the others deferred (``Model.from_db``)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def _parquet_missing(user: Actor, primary, composition: list[Membership]) -> dict:
    """Who keeps the composition (its coordinators) is warned while no one represents the parquet in the cellule
    (``Cell.parquet_represented``, read from the composition shown), and led to it."""
    if (not policy.can(user, OrganisationRight.MANAGE_MEMBERSHIPS, primary.cell)
            or Cell.parquet_represented_among(composition)):
        return {}
    return {"parquet_missing": True, "composition_url": reverse("cell_detail", args=[primary.cell.departement.code])}


def _national_home(request, primary) -> dict:
    cells = cells_visible_to(request.user)
    return {"installed": cells.filter(installed_on__isnull=False).count(), "departements": Departement.objects.count()}


HOMES = {
    Role.COORDINATOR: ("coordinator", _cellule_home),
    Role.MEMBER: ("member", _cellule_home),
    Role.MOBILE_TEAM: ("mobile_team", lambda request, primary: {"team_counts": _team_counts()}),
    Role.INSPECTOR: ("inspector", lambda request, primary: {"mandates": policy.scope(request.user).mandates}),
    Role.NATIONAL: ("national", _national_home),
    Role.ADMIN: ("admin", lambda request, primary: {
        "cells": cells_visible_to(request.user).count(),
        "proposals": InstitutionProposal.objects.filter(status=InstitutionProposal.Status.PENDING).count()}),
}


def _work_counts(user: Actor) -> dict:
    """What waits for a member or a coordinator: the counters of « À traiter », each opening the list
    it counts (``todo``: label, number shown, address), and the cards' sentences. One statement, each count
    through its own index and capped (``ui.counts``), so that a counter costs the same in a cellule of 20
    cases and of 2,000; compiled once per person, scope and day (``ui.statements``)."""
    today = timezone.localdate()
    coordinated = policy.scope(user).coordinated_departement_ids
    n = statements.row(("home counts", user_id(user), today, policy.scope(user).key, counts.CAP),
                       lambda: counts.capped_statement(_work(user, today)))
    inbox, queue, case_list = reverse("workflows:inbox"), reverse("workflows:queue"), reverse("cases:list")
    todo = [("Mes tâches", n["mine"], inbox), ("Mes tâches en retard", n["late"], f"{inbox}?echeance=retard"),
            ("Dans la file de l'équipe", n["queue"], queue)]
    said: dict = {
        "cases": f"{counted(n['open'], 'signalement', none='Aucun signalement')} en cours.",
        "tasks": f"{_tasks(n['mine'], n['late'])} ; {counted(n['queue'], 'tâche', none='aucune')} dans la file de "
                 "l'équipe.",
    }
    if coordinated:
        signalled = counted(n["escalated"], "tâche signalée", "tâches signalées", none="Aucune tâche signalée")
        said["escalated"] = (f"{signalled} aux coordonnateurs pour retard prolongé ; la charge par référent, les "
                           "tâches par ancienneté, l'équipe mobile.")
        todo += [("Tâches signalées pour retard", n["escalated"], f"{reverse('workflows:cellule')}?signalees=1"),
                 ("Familles à contacter", n["received"], f"{case_list}?state={State.RECEIVED}"),
                 ("Référents à nommer", n["contacted"], f"{case_list}?state={State.FAMILY_CONTACTED}"),
                 ("Alertes de lecture à examiner", n["alerts"], reverse("vigilance:list"))]
    said["todo"] = [(label, shown(value), url) for label, value, url in todo]
    return said


def _work(user: Actor, today) -> dict[str, QuerySet]:
    """What « À traiter » counts, by name."""
    held = tasks_held_by(user).open()  # type: ignore[attr-defined]
    cases = Case.objects.visible_to(user)
    querysets = {
        "mine": held, "late": held.filter(due_on__lt=today),
        "queue": tasks_claimable_by(user),
        "open": cases.filter(state__in=State.open_states()),
    }
    if policy.scope(user).coordinated_departement_ids:
        # Escalations go up to the coordinators (workflows.escalation), whoever holds the task.
        querysets |= {"escalated": tasks_escalated_to(user), "received": cases.filter(state=State.RECEIVED),
                      "contacted": cases.filter(state=State.FAMILY_CONTACTED),
                      "alerts": alerts_visible_to(user).to_examine()}
    return querysets


def _team_counts() -> str:
    """What waits for the mobile team, in words, for its home page: one query."""
    status = MobileTeamRequest.Status
    counts = MobileTeamRequest.objects.aggregate(**{
        value: Count("pk", filter=Q(status=value)) for value in (status.REQUESTED, status.ACCEPTED, status.SCHEDULED)
    })
    scheduled = count(counts[status.SCHEDULED], "intervention planifiée", "interventions planifiées",
                      none="aucune intervention planifiée")
    return (f"{count(counts[status.REQUESTED], 'demande', none='Aucune demande')} en attente de réponse, "
            f"{count(counts[status.ACCEPTED], 'acceptée', 'acceptées', none='aucune acceptée')} à planifier, "
            f"{scheduled}.")


def _tasks(mine: int, late: int) -> str:
    """« Aucune tâche à traiter », « 3 tâches à traiter, aucune en retard », « 1 tâche à traiter dont 1 en retard »."""
    if not mine:
        return "Aucune tâche à traiter"
    return f"{counted(mine, 'tâche')} à traiter" + (f" dont {shown(late)} en retard" if late else ", aucune en retard")


class InvitationPasswordView(auth_views.PasswordResetConfirmView):
    """The link of an invitation e-mail: the person chooses a password, and the trail records it.

    Its token dies once the password is set (Django's tokens hash the password), but it is checked
    when the request starts: two submissions at once (the invited person and whoever else holds the
    link) both passed and both set a password. The account's row is locked and the token checked
    again on it, so the second one finds it dead."""

    def form_valid(self, form):
        with transaction.atomic():
            user = type(form.user).objects.select_for_update().get(pk=form.user.pk)
            token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN)
            if not self.token_generator.check_token(user, token):
                self.validlink = False
                return self.render_to_response(self.get_context_data(form=form))  # as Django answers a dead link
            form.user = user
            response = super().form_valid(form)
            audit.record("user.password_set", obj=form.user, actor=form.user, details={"par": "lien d'invitation"})
            sessions.end_sessions(form.user, form.user, keep=self.request.session.session_key,
                                  reason=sessions.EndReason.PASSWORD)
        return response


@login_not_required  # like the login page: the legal pages are read before signing in
@require_safe
def legal_page(request, page: str):
    """The footer's pages: site map, accessibility statement, legal notice, personal data, cookies."""
    return render(request, f"legal/{page}.html", {
        "publisher": settings.LEGAL_PUBLISHER, "hosting": settings.LEGAL_HOSTING, "dpo": settings.DPO_CONTACT,
        "accessibility_contact": settings.ACCESSIBILITY_CONTACT,
        "cookies": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME,
                    "messages": CookieStorage.cookie_name,
                    "session_hours": settings.SESSION_MAX_HOURS, "idle_minutes": settings.SESSION_IDLE_MINUTES,
                    "csrf_days": settings.CSRF_COOKIE_AGE // 86400},
    })
