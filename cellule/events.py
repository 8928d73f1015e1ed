"""The events of the cellule's life, in French (``audit.events``)."""

from audit import events
from cellule.models import InterviewRequest, SupportGroup

events.register({
    "meeting.schedule": "Réunion programmée",
    "meeting.update": "Réunion modifiée (date ou ordre du jour)",
    "meeting.cancel": "Réunion annulée",
    "meeting.record": "Compte rendu de réunion enregistré",
    "meeting.close": "Réunion clôturée",
    "meeting.view": "Consultation d'une réunion",
    "meeting.export": "Export PDF d'une réunion",
    "interview_request.create": "Demande d'entretien enregistrée",
    "interview_request.update": "Demande d'entretien mise à jour",
    "support_group.create": "Groupe de parole créé",
    "support_session.create": "Séance de groupe de parole enregistrée",
    "support_group.view": "Consultation d'un groupe de parole et de ses séances",
}, render=events.summary({"date": "date", "document": "document", "ordre_du_jour": "ordre du jour",
                          "ajoutés": "ajoutés", "retirés": "retirés", "état": "état", "familles": "familles",
                          "autres_parents": "autres parents", "porté_par": "porté par", "animation": "animation",
                          "nom": "nom", "signalements": "signalements affichés",
                          "non consultables": "non consultables"},
                         choices={"état": dict(InterviewRequest.Status.choices),
                                  "porté_par": dict(SupportGroup.RunBy.choices)}))
# A meeting's decision on a case, on the case's timeline: what, by whom, by when; then its follow-up done.
events.register({
    "case.meeting_decision": "Décision de réunion",
    "case.meeting_decision_done": "Suite donnée à une décision de réunion",
    "case.meeting_decision_view": "Consultation d'une décision de réunion",
}, render=events.summary({"décision": "décision", "note": "note", "chargé": "chargé de la suite",
                          "échéance": "pour le", "réunion": "réunion du"}))
# The cellule's exchanges with a local prevention body (CLSPD, CISPD, réussite éducative).
events.register({"exchange.create": "Échange avec un dispositif local de prévention enregistré"},
                render=events.summary({"dispositif": "dispositif", "date": "date", "objet": "objet"}))
