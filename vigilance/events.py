"""The vigilance's events, in French (``audit.events``)."""

from audit import events

events.register({
    "reading_alert.raise": "Alerte de lecture inhabituelle levée",
    "reading_alert.examine": "Alerte de lecture inhabituelle examinée",
    "reading_alert.view": "Événements d'une alerte de lecture consultés",
    "reading_alert.list": "Liste des alertes de lecture consultée",
}, render=events.summary({"compte": "compte", "jour": "jour", "atteints": "signalements atteints", "seuil": "seuil",
                          "événements": "événements"}))
events.register({"reading_alert.floor": "Seuil des alertes de lecture de la cellule modifié"},
                render=events.summary({"avant": "avant", "après": "après"}))
