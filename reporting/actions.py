"""The monthly report's entry points: a coordinator edits its two texts, validates and sends it.

A report is about a month of the cellule's life, up to the current one (``reporting.periods``): any
other month is refused, to read as to write.

Sending freezes it: the figures sent are stored and later data changes do not alter them; a
correction is a new version, the sent one is kept. The e-mail goes through the queue (outbox): the
report is "Envoi en cours" until the mail server accepts it, then "Envoyé"; given up after every
attempt, it is "Échec de l'envoi" and its coordinators send it again.
"""

import re
from collections.abc import Iterable
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import audit
from audit.changes import diff, masked
from audit.recorder import acting
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell
from organisation.policy import Actor
from organisation.spreadsheets import to_csv, to_xlsx
from outbox import mail
from reporting.exports import HEADERS, rows, title
from reporting.figures import Month, compute
from reporting.models import Difficulty, MonthlyReport
from reporting.national import suppress
from reporting.periods import refusal
from reporting.rules import ReportRight
from workflows.notifications import link

Status = MonthlyReport.Status
TEXTS = {"results", "difficulties"}  # written by the coordinators: free text
FROZEN = "Ce compte rendu a été envoyé : il est figé. Créez une nouvelle version pour le corriger."
SENDING = "Ce compte rendu est en cours d'envoi : il est figé jusqu'à la réponse du serveur de messagerie."
LOCKED: dict[str, str] = {Status.SENT: FROZEN, Status.SENDING: SENDING,
          Status.SEND_FAILED: "L'envoi de ce compte rendu a échoué : ses chiffres sont figés, renvoyez-le."}


def _record(action: str, actor: Actor | None, report: MonthlyReport, **details: object) -> None:
    audit.record(action, obj=report, actor=actor, departement=report.cell.departement.code,
                 details={"mois": f"{report.month:%Y-%m}", "version": report.version, **details})


def _within_life(cell: Cell, month: Month) -> None:
    if reason := refusal(cell, month):
        raise ActionRefused(reason)


def _locked(actor: Actor, report: MonthlyReport) -> MonthlyReport:
    """The report re-read under a row lock; a month's first draft is stored on its first change."""
    policy.require(actor, ReportRight.MANAGE_REPORT, report.cell)
    _within_life(report.cell, Month(report.month))
    if report.pk is None:
        report, created = MonthlyReport.objects.get_or_create(cell=report.cell, month=report.month, version=1)
        if created:
            _record("report.create", actor, report)
    return MonthlyReport.objects.select_for_update().select_related("cell__departement").get(pk=report.pk)


def current(actor: Actor, cell: Cell, month: Month) -> MonthlyReport:
    """The month's latest version; an unsaved draft if the month has none yet (reading writes nothing)."""
    policy.require(actor, ReportRight.MANAGE_REPORT, cell)
    _within_life(cell, month)
    report = MonthlyReport.objects.filter(cell=cell, month=month.first).order_by("-version").first()
    return report or MonthlyReport(cell=cell, month=month.first, version=1)


def _categories(given: Iterable[str]) -> list[str]:
    """The categories ticked, in the list's order; an unknown one is refused, nothing saved."""
    given = list(given)
    if unknown := [value for value in given if value not in Difficulty.values]:
        raise ActionRefused(f"Catégorie de difficulté inconnue : « {unknown[0]} ». Choisissez dans la liste ; "
                            "rien n'a été enregistré.")
    return [value for value in Difficulty.values if value in given]


def edit(actor: Actor, report: MonthlyReport, *, results: str, difficulties: str,
         categories: Iterable[str] | None = None) -> MonthlyReport:
    """The report's texts and its categories of difficulties (kept as they were if ``categories`` is None)."""
    with transaction.atomic():
        report = _locked(actor, report)
        if report.status in LOCKED:
            raise ActionRefused(LOCKED[report.status])
        ticked = report.difficulty_categories if categories is None else _categories(categories)
        before = {"results": report.results, "difficulties": report.difficulties,
                  "difficulty_categories": report.difficulty_categories}
        after = {"results": results, "difficulties": difficulties, "difficulty_categories": ticked}
        report.results, report.difficulties, report.difficulty_categories = results, difficulties, ticked
        report.status = Status.DRAFT  # a validated report that changes must be validated again
        report.full_clean()
        report.save()
        # The texts stay on the report; the trail, which outlives it, says which changed (the categories, a
        # fixed list, as they are).
        _record("report.edit", actor, report, changements=masked(diff(before, after), TEXTS))
    return report


def figures_of(report: MonthlyReport) -> dict:
    """The report's figures: those frozen at its sending, or the month's as computed now with the categories
    of difficulties ticked (which its sending freezes too)."""
    return report.figures or {**compute(report.cell, Month(report.month)),
                              "difficulty_categories": [Difficulty(value).label
                                                        for value in report.difficulty_categories]}


def _month_ended(report: MonthlyReport) -> None:
    month = Month(report.month)
    if month.last >= timezone.localdate(timezone=report.cell.departement.zone):  # ended on the cellule's clock
        raise ActionRefused(f"Le mois {month.of_label()} n'est pas terminé : son compte rendu se valide et s'envoie "
                            "à partir du premier jour du mois suivant.")


def validate(actor: User, report: MonthlyReport) -> MonthlyReport:
    _month_ended(report)
    with transaction.atomic():
        report = _locked(actor, report)
        if report.status != Status.DRAFT:
            raise ActionRefused(LOCKED.get(report.status, "Ce compte rendu est déjà validé."))
        report.status, report.validated_by, report.validated_at = Status.VALIDATED, actor, timezone.now()
        report.save()
        _record("report.validate", actor, report)
    return report


def send(actor: Actor, report: MonthlyReport) -> MonthlyReport:
    """Freeze the figures and queue the table for the ministry's addresses (again, after a failure)."""
    if not settings.REPORT_RECIPIENTS:
        raise ActionRefused("Aucune adresse de destination : le réglage REPORT_RECIPIENTS est vide.")
    _month_ended(report)
    with transaction.atomic():
        report = _locked(actor, report)
        if report.status not in (Status.VALIDATED, Status.SEND_FAILED):
            raise ActionRefused(LOCKED.get(report.status, "Validez le compte rendu avant de l'envoyer."))
        if report.status == Status.VALIDATED:
            report.figures = figures_of(report)
        report.status = Status.SENDING
        report.save()
        _record("report.send", actor, report, destinataires=settings.REPORT_RECIPIENTS)
        figures = cast(dict, report.figures)  # computed above, or frozen by the failed sending
        heading, table = title(figures), rows(figures, report.results, report.difficulties)
        name = f"compte-rendu-{report.cell.departement.code}-{report.month:%Y-%m}-v{report.version}"
        reply_to = [email] if (email := getattr(actor, "email", "")) else []  # a reply reaches who sent it
        message = EmailMessage(heading, _body(report, figures, name, answered=bool(reply_to)), None,
                               settings.REPORT_RECIPIENTS, reply_to=reply_to)
        message.attach(f"{name}.csv", to_csv(heading, table, HEADERS), "text/csv")
        message.attach(f"{name}.xlsx", to_xlsx(heading, table, HEADERS),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        mail.enqueue(message, about=("report", report.pk))
    return report


# The spaces a line must not break at: before « : ; ? ! » and a closing guillemet, after an opening one.
BEFORE_PUNCTUATION = re.compile(r" (?=[:;?!»])|(?<=«) ")


def _body(report: MonthlyReport, figures: dict, name: str, *, answered: bool) -> str:
    """The e-mail's text: what it is, the key figures (counts of 1 or 2 suppressed, as in the national
    view: an e-mail is read and forwarded beyond the table's recipients), the files and where else to
    read them. Aggregates only: no name, no case reference, nobody's free text."""
    month = Month(report.month)
    version = (f"version {report.version}, qui corrige et remplace la version {report.version - 1}"
               if report.version > 1 else f"version {report.version}")
    key_figures = [
        ("Jeunes suivis", suppress(figures["young_people_followed"])),
        ("Familles suivies", suppress(figures["families_followed"])),
        ("Nouveaux signalements", suppress(sum(figures["new_cases_by_source"].values()))),
        ("Clôtures", suppress(sum(figures["closures_by_reason"].values()))),
        ("Demandes à l'équipe mobile", suppress(figures["mobile_team_requests"]["made"])),
        ("Réunions tenues", figures["meetings_held"]),
    ]
    national = link(f"{reverse('national:view')}?mois={month}")
    text = "\n".join([
        "Bonjour,",
        "",
        f"La cellule de suivi {report.cell.departement.of_code} ({figures['departement_name']}) vous adresse, pour "
        f"le {report.cell.departement.representative_title}, son compte rendu mensuel de {month.label()} ({version}).",
        "",
        "Chiffres clés du mois (un effectif de 1 ou 2 s'écrit « < 3 », comme dans la vue nationale) :",
        *(f"- {label} : {value}" for label, value in key_figures),
        "",
        "Le tableau complet (composition de la cellule, fonctionnement, situations suivies, prises en charge, "
        "équipe mobile, entretiens, clôtures, résultats et difficultés rencontrées) est joint en deux formats :",
        f"- {name}.xlsx (classeur Excel) ;",
        f"- {name}.csv (texte, séparateur point-virgule).",
        "",
        f"Ce compte rendu entre dans la consolidation nationale de {month.label()}, que les comptes du niveau "
        f"national consultent sur : {national}",
        "",
        "Ce message ne contient aucune donnée nominative."
        + (" Pour toute question, répondez-y : la réponse parvient à la coordination de la cellule." if answered
           else ""),
        "",
    ])
    return BEFORE_PUNCTUATION.sub("\u00a0", text)


def delivered(report_id: int, accepted: bool) -> None:
    """The queue's answer (``outbox.mail.on_delivery``): the server accepted the report's e-mail, or
    every attempt failed. Recorded in the trail as the system's act."""
    with transaction.atomic(), acting(label="envoi des courriels"):
        report = MonthlyReport.objects.select_for_update().select_related("cell__departement").get(pk=report_id)
        if report.status != Status.SENDING:
            return  # told twice: the first answer stands
        if accepted:
            report.status, report.sent_at = Status.SENT, timezone.now()
        else:
            report.status = Status.SEND_FAILED
        report.save()
        _record("report.delivered" if accepted else "report.delivery_failed", None, report)


def correct(actor: Actor, report: MonthlyReport) -> MonthlyReport:
    """A new draft version of a sent report; the sent one stays as it was."""
    with transaction.atomic():
        report = _locked(actor, report)
        if report.status != Status.SENT:
            raise ActionRefused("Seul un compte rendu envoyé se corrige par une nouvelle version.")
        latest = MonthlyReport.objects.filter(cell=report.cell, month=report.month).order_by("-version").first()
        if latest is not None and latest.pk != report.pk:
            raise ActionRefused(f"Une version {latest.version} existe déjà pour ce mois.")
        new = MonthlyReport.objects.create(cell=report.cell, month=report.month, version=report.version + 1,
                                           results=report.results, difficulties=report.difficulties,
                                           difficulty_categories=report.difficulty_categories)
        _record("report.correct", actor, new, corrige=report.version)
    return new
