"""The events of the FIPD's actions, in French (``audit.events``)."""

from audit import events
from funding.models import FundedAction

_labels = events.field_labels(FundedAction)
events.register({"funded_action.create": "Action FIPD enregistrée", "funded_action.update": "Action FIPD modifiée"},
                render=lambda details: events.changes(details, _labels))
events.register({"export.funding_csv": "Export CSV des actions FIPD de la cellule",
                 "export.funding_xlsx": "Export XLSX des actions FIPD de la cellule",
                 "export.funding_national_csv": "Export CSV de la synthèse nationale du FIPD",
                 "export.funding_national_xlsx": "Export XLSX de la synthèse nationale du FIPD",
                 "funding.national_view": "Consultation de la synthèse nationale du FIPD"},
                render=events.summary({"année": "année", "actions": "actions"}))
