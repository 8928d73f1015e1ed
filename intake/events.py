"""The events the intake by machine records, in French (``audit.events``)."""

from audit import events


def render(details: dict) -> str:
    parts = [f"{key} : {events.value(value)}" for key, value in details.items() if key != "signalement"]
    return f" — {', '.join(parts)}" if parts else ""


events.register({
    "intake.account_create": "Compte de service créé",
    "intake.account_revoke": "Compte de service révoqué",
    "intake.api_call": "Appel de l'API de réception",
    "intake.api_refused": "Appel de l'API refusé",  # one per call, until they were counted (audit.tallies)
    "intake.import": "Import de signalements depuis un tableur",
    "intake.import_preview": "Aperçu d'un import de signalements",
}, render)
events.register({"intake.api_refusals": "Appels de l'API sans jeton valide (décompte de la minute)"},
                render=events.TALLY)
