"""The events a case's entry points and pages record, in French (``audit.events``)."""

from audit import events
from cases.models import (
    Bilan,
    CareMeasure,
    Case,
    ClosureReason,
    Consent,
    NoContactReason,
    Objective,
    ObjectiveResult,
    Person,
    PlanAction,
    ProsecutorInformation,
    Relative,
    Source,
    State,
    Visibility,
)

FIELDS = events.field_labels(Person, Relative, CareMeasure, Case)


def _state(value: str) -> str:
    return State(value).label if value in State.values else value


def _reason(value) -> str:
    """A closure or no-contact reason's label; a free-text reason as it was typed (``cases.event_texts``
    puts it back in the details read for a page)."""
    for choices in (ClosureReason, NoContactReason):
        if isinstance(value, str) and value in choices.values:
            return str(choices(value).label)
    return events.value(value)


def render(details: dict) -> str:
    """A transition from → to, its reason or note, the referent before → after (and the tasks that
    followed), the fields changed."""
    text = f" : {_state(details['de'])} → {_state(details.get('vers', ''))}" if details.get("de") else ""
    if details.get("motif"):
        text += f" ({_reason(details['motif'])})"
    if details.get("note"):  # why the follow-up goes on (``decline_closure``)
        text += f" — {events.value(details['note'])}"
    if details.get("référent"):
        referent = details["référent"]
        text += f" — Référent : {events.value(referent.get('avant'))} → {events.value(referent.get('après'))}"
    if details.get("tâches"):
        text += f" — Tâches confiées au nouveau référent : {', '.join(details['tâches'])}"
    if details.get("doublons_écartés"):
        text += f" — Autre jeune que celui de : {', '.join(details['doublons_écartés'])}"
    return text + events.changes(details, FIELDS)


events.register({
    "case.intake": "Signalement enregistré",
    "case.contact_family": "Famille contactée",
    "case.family_contact": "Contact avec la famille enregistré",
    "case.assign": "Référent désigné",
    "case.referent_change": "Changement de référent",
    "case.start_care": "Prise en charge démarrée",
    "case.close": "Clôture",
    "case.reopen": "Réouverture",
    "case.transfer": "Transfert accepté par le département de destination",
    "case.transfer_request": "Transfert demandé",
    "case.transfer_incoming": "Transfert entrant demandé",
    "case.transfer_refuse": "Transfert entrant refusé",
    "case.transfer_refused": "Transfert refusé par le département de destination",
    "case.transfer_withdraw": "Demande de transfert retirée",
    "case.transfer_withdrawn": "Transfert entrant retiré par la cellule d'origine",
    "case.transfer_view": "Consultation d'une demande de transfert",
    "case.review": "Revue de suivi",
    "case.closure_declined": "Clôture refusée, suivi poursuivi",
    "case.care_measure_add": "Prise en charge ajoutée",
    "case.care_measure_end": "Prise en charge terminée",
    "case.care_measure_edit": "Prise en charge corrigée",
    "case.care_measure_rebase": "Prise en charge refondée après un retrait d'adhésion",
    "case.care_measure_remove": "Prise en charge retirée (saisie par erreur)",
    "case.person_edit": "Fiche du jeune modifiée",
    "case.relative_add": "Proche ajouté",
    "case.relative_edit": "Proche modifié",
}, render=render)
# Whose consent ("de" is a party here, not a state), its status, its date, why it is not needed.
events.register({"case.consent": "Adhésion enregistrée"},
                render=events.summary({"de": "de", "adhésion": "adhésion", "date": "date", "motif": "motif",
                                       "mesures": "prises en charge concernées"},
                                      choices={"de": dict(Consent.Party.choices),
                                               "adhésion": dict(Consent.Status.choices)}))
events.register({"case.signalement_add": "Nouveau signalement enregistré sur ce dossier"},
                render=events.summary({"origine": "origine", "reçu": "reçu le"},
                                      choices={"origine": dict(Source.choices)}))
events.register({"case.duplicate_check": "Recherche des signalements du même jeune à la saisie"},
                render=events.summary({"signalements": "signalements affichés",
                                       "ailleurs": "autres départements où il est peut-être connu"}))
# The procureur informed of the case (``cases.actions.prosecutor``): what was shared, by reference.
events.register({"case.prosecutor_inform": "Information du procureur"},
                render=events.summary({"date": "le", "moyen": "moyen", "transmis": "transmis",
                                       "export": "export PDF transmis (empreinte SHA-256)"},
                                      choices={"moyen": dict(ProsecutorInformation.Means.choices)}))
# Why the case was opened: the reason chosen, its précision (kept apart: ``cases.event_texts``).
events.register({"case.export_pdf": "Export PDF du dossier"},
                render=events.summary({"parties": "parties exportées", "sha256": "empreinte SHA-256 du fichier"}))
events.register({"case.view": "Consultation du signalement"},
                render=events.summary({"motif": "motif", "précision": "précision"}))
events.register({"person.view": "Consultation du suivi d'un jeune (tous ses signalements)",
                 "family.view": "Consultation d'une famille (ses jeunes et leurs signalements)"},
                render=events.summary({"signalements": "signalements affichés", "motif": "motif"}))
events.register({"case.list": "Consultation de la liste des signalements"},
                render=events.summary({"signalements": "signalements affichés"}))
# Notes and their attachments: identifiers only, never a file's name (it may name someone).
events.register({"case.note_add": "Note ajoutée"},
                render=events.summary({"visibilité": "visibilité", "pièces": "pièces jointes"},
                                      choices={"visibilité": dict(Visibility.choices)}))
events.register({"case.attachment_read": "Pièce jointe téléchargée"},
                render=events.summary({"pièce": "pièce jointe"}))
# Two records of one young person (``cases.actions.merges``): by their numbers, the cases moved by reference.
events.register({"person.merge": "Fiches d'un même jeune fusionnées",
                 "person.merge_undo": "Fusion de fiches annulée"},
                render=events.summary({"fiche_conservée": "fiche conservée", "fiche_fusionnée": "fiche fusionnée",
                                       "signalements": "signalements déplacés"}))
events.register({"person.duplicate_dismiss": "Doublon écarté : deux jeunes différents"},
                render=events.summary({"fiche": "fiche", "autre_fiche": "autre fiche"}))
events.register({"person.duplicates_view": "Consultation des fiches en double proposées à la fusion"},
                render=events.summary({"fiches": "fiches affichées"}))

# The accompaniment plan and the bilan (``cases.actions.plan``): what was typed, by reference (``cases.event_texts``).
PLAN_FIELDS = events.field_labels(Objective, PlanAction)
PLAN_CHOICES = {"domaine": PLAN_FIELDS.choices["domain"], "état": PLAN_FIELDS.choices["status"],
                "situation": dict(Bilan._meta.get_field("exit_situation").flatchoices),
                "résultats": dict(ObjectiveResult.Result.choices)}


def _plan(captions: dict[str, str]):
    """The details named in ``captions``, then the fields changed."""
    summary = events.summary(captions, choices=PLAN_CHOICES)
    return lambda details: summary(details) + events.changes(details, PLAN_FIELDS)


events.register({"case.objective_add": "Objectif ajouté au plan",
                 "case.objective_edit": "Objectif du plan modifié"},
                render=_plan({"domaine": "domaine", "texte_objectif": "objectif"}))
events.register({"case.plan_action_add": "Action ajoutée au plan",
                 "case.plan_action_edit": "Action du plan modifiée",
                 "case.plan_action_update": "Action du plan mise à jour par le partenaire"},
                render=_plan({"texte_action": "action", "par": "par", "échéance": "échéance", "état": "état",
                              "point": "point d'avancement"}))
events.register({"case.bilan": "Bilan de fin d'accompagnement"},
                render=_plan({"situation": "situation à la sortie", "précisions": "précisions",
                              "résultats": "objectifs", "suivi_prévu": "contact de suivi prévu"}))
