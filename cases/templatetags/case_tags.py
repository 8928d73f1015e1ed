"""Readable labels of audit events and states on the case page."""

from django import template

from cases.models import CareMeasure, Case, ClosureReason, NoContactReason, Person, Relative, State
from organisation.models import Membership, Role

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


EVENT_LABELS.update({
    "case.view": "Consultation du signalement",
    "case.list": "Consultation de la liste des signalements",
    "task.list": "Consultation d'une liste de tâches",
    "task.claim": "Tâche prise",
    "task.release": "Tâche remise dans la file",
    "access.denied": "Accès refusé",
    "auth.login": "Connexion",
    "auth.logout": "Déconnexion",
    "auth.login_failed": "Échec de connexion",
    "membership.create": "Membre ajouté",
    "membership.update": "Membre modifié",
    "audit.search": "Recherche dans le journal",
    "audit.case_timeline": "Chronologie d'un signalement consultée",
    "audit.user_activity": "Activité d'un utilisateur consultée",
    "audit.integrity": "État d'intégrité consulté",
    "export.audit_csv": "Export CSV du journal",
    "export.audit_bundle": "Export d'un paquet vérifiable du journal",
})
FIELD_LABELS = {
    f.name: str(f.verbose_name)
    for model in (Person, Relative, CareMeasure, Membership, Case)
    for f in reversed(model._meta.concrete_fields)
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


@register.filter
def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name, name)
    return label[:1].upper() + label[1:]


@register.filter
def role_label(value: str) -> str:
    return Role(value).label if value in Role.values else value
