"""The events of tasks, in French (``audit.events``)."""

from audit import events
from workflows.models import EmailChoice

events.register({
    "task.list": "Consultation d'une liste de tâches",
    "task.claim": "Tâche prise",
    "task.release": "Tâche remise dans la file",
}, render=events.summary({"tâche": "tâche", "détenteur": "détenteur précédent"}))
events.register({
    "task.escalate": "Tâche en retard signalée aux coordonnateurs",
}, render=events.summary({"tâche": "tâche", "échéance": "échéance", "détenteur": "détenteur"}))
events.register({"notification.read": "Notifications marquées comme lues"},
                render=events.summary({"notifications": "notifications"}))
events.register({"notification.preference": "Choix des courriels de notification"},
                render=events.summary({"avant": "avant", "après": "après"},
                                      {"avant": dict(EmailChoice.choices), "après": dict(EmailChoice.choices)}))
events.register({
    "task.give": "Tâche confiée à une personne par un coordonnateur",
}, render=events.summary({"tâche": "tâche", "confiée à": "confiée à", "détenteur": "détenteur précédent"}))
events.register({
    "view.save": "Vue de liste enregistrée",
    "view.delete": "Vue de liste supprimée",
}, render=events.summary({"liste": "liste", "partagée": "partagée", "par défaut": "vue par défaut des"}))
