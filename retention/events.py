"""The events of retention and of the answers to the people concerned, in French (``audit.events``).

None carries a name or a free text: the case's reference, ids, counts and field names only."""

from audit import events

events.register({
    "retention.hold_place": "Gel de conservation posé",
    "retention.hold_lift": "Gel de conservation levé",
    "retention.erase": "Données personnelles effacées (durée de conservation écoulée)",
    "retention.person_view": "Consultation des données d'une personne (droits des personnes)",
    "retention.export": "Export des données d'une personne (droit d'accès)",
    "retention.rectify": "Rectification des données d'une personne",
}, render=events.summary({"signalement": "signalement", "gel": "gel", "règle": "règle", "effacés": "effacés",
                          "personne": "personne", "champs": "champs"}))
