"""Readable labels of audit events and states on the case page."""

from django import template

from cases.models import ClosureReason, NoContactReason, State

register = template.Library()

EVENT_LABELS = {
    "case.intake": "Signalement enregistré",
    "case.contact_family": "Famille contactée",
    "case.family_contact": "Contact avec la famille enregistré",
    "case.assign": "Référent désigné",
    "case.start_care": "Prise en charge démarrée",
    "case.request_mobile_team": "Équipe mobile sollicitée",
    "case.mobile_team_done": "Retour de l'équipe mobile",
    "case.close": "Clôture",
    "case.reopen": "Réouverture",
    "case.transfer": "Transfert",
    "case.review": "Revue de suivi",
    "case.closure_declined": "Clôture refusée, suivi poursuivi",
    "case.care_measure_add": "Prise en charge ajoutée",
    "case.care_measure_end": "Prise en charge terminée",
    "case.person_edit": "Fiche du jeune modifiée",
    "case.relative_add": "Proche ajouté",
    "case.relative_edit": "Proche modifié",
    "case.consent": "Adhésion enregistrée",
}


@register.filter
def event_label(event) -> str:
    return EVENT_LABELS.get(event.action, event.action)


@register.filter
def state_label(value: str) -> str:
    return State(value).label if value in State.values else value


@register.filter
def reason_label(value: str) -> str:
    """A closure or no-contact reason's label; a free-text reason as it was typed."""
    for choices in (ClosureReason, NoContactReason):
        if value in choices.values:
            return choices(value).label
    return value
