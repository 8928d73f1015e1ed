"""The inspection's reads of the trail, in French (``audit.events``)."""

from audit import events

events.register({
    "audit.search": "Recherche dans le journal",
    "audit.case_timeline": "Chronologie d'un signalement consultée",
    "audit.user_activity": "Activité d'un utilisateur consultée",
    "audit.integrity": "État d'intégrité consulté",
    "export.audit_csv": "Export CSV du journal",
    "export.audit_bundle": "Export d'un paquet vérifiable du journal",
    "audit.inspection_reads": "Consultations de l'inspection lues par un coordonnateur",
}, render=events.summary({"utilisateur": "utilisateur", "événements": "événements"}))
