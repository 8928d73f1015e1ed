"""The charter's events, in French (``audit.events``)."""

from audit import events

events.register({"charter.accept": "Charte de confidentialité acceptée",
                 "charter.publish": "Nouvelle version de la charte de confidentialité publiée"},
                render=events.summary({"version": "version"}))
events.register({"charter.acceptances_view": "Consultation des acceptations de la charte de confidentialité"})
