"""The events of the cellule's life, in French (``audit.events``)."""

from audit import events
from cellule.models import InterviewRequest

events.register({
    "meeting.schedule": "Réunion programmée",
    "meeting.record": "Compte rendu de réunion enregistré",
    "meeting.close": "Réunion close",
    "meeting.view": "Consultation d'une réunion",
    "interview_request.create": "Demande d'entretien enregistrée",
    "interview_request.update": "Demande d'entretien mise à jour",
    "support_group.create": "Groupe de parole créé",
    "support_session.create": "Séance de groupe de parole enregistrée",
    "support_group.view": "Consultation des groupes de parole",
}, render=events.summary({"date": "date", "ordre_du_jour": "ordre du jour", "état": "état",
                          "familles": "familles", "nom": "nom", "signalements": "signalements affichés"},
                         choices={"état": dict(InterviewRequest.Status.choices)}))
