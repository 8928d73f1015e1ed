"""The events of the requests to the mobile team, in French (``audit.events``)."""

from audit import events
from cases.events import render as render_case

events.register({
    "case.request_mobile_team": "Équipe mobile sollicitée",
    "case.mobile_team_done": "Retour de l'équipe mobile",
    "case.team_answer_read": "Réponse de l'équipe mobile lue",
}, render=render_case)
events.register({
    "mobile_request.accept": "Demande acceptée par l'équipe mobile",
    "mobile_request.decline": "Demande déclinée par l'équipe mobile",
    "mobile_request.schedule": "Intervention planifiée",
    "mobile_request.report": "Compte rendu d'intervention transmis",
    "mobile_request.complete": "Intervention terminée",
    "mobile_request.withdraw": "Demande retirée par la cellule",
    "mobile_request.view": "Consultation d'une demande d'intervention",
    "mobile_request.list": "Consultation des demandes d'intervention",
    "mobile_request.message": "Message sur une demande d'intervention",
    "mobile_request.messages_read": "Lecture des messages d'une demande d'intervention",
    "mobile_request.attachment_read": "Lecture d'une pièce jointe à un message d'intervention",
}, render=events.summary({"demande": "demande n°", "motif": "motif", "date": "date", "lieu": "lieu",
                          "message": "message n°", "messages": "messages n°", "pièce": "pièce n°",
                          "pièces": "pièces n°"}))
events.register({"mobile_team.dashboard": "Consultation du tableau de bord de l'équipe mobile"})
