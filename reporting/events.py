"""The events of the monthly reports, in French (``audit.events``)."""

from audit import events

events.register({
    "report.create": "Compte rendu mensuel créé",
    "report.edit": "Compte rendu mensuel modifié",
    "report.validate": "Compte rendu mensuel validé",
    "report.send": "Envoi du compte rendu mensuel demandé",
    "report.delivered": "Compte rendu mensuel remis au serveur de messagerie",
    "report.delivery_failed": "Échec de l'envoi du compte rendu mensuel",
    "report.correct": "Nouvelle version du compte rendu mensuel",
    "report.reminder": "Rappel du compte rendu mensuel à envoyer",
    "export.report_csv": "Export CSV du compte rendu mensuel",
    "export.report_xlsx": "Export XLSX du compte rendu mensuel",
    "export.monthly_report_csv": "Export CSV d'un compte rendu mensuel (commande)",
    "export.monthly_report_xlsx": "Export XLSX d'un compte rendu mensuel (commande)",
    "export.national_csv": "Export CSV de la consolidation nationale",
    "export.national_xlsx": "Export XLSX de la consolidation nationale",
    "national.view": "Consultation de la consolidation nationale",
}, render=events.summary({"mois": "mois", "version": "version", "état": "état"}))
events.register({"dashboard.view": "Consultation du tableau de bord de la cellule"},
               render=events.summary({"référents": "référents nommés"}))
