"""The project's own event types, in French (``audit.events``): the search across the apps."""

from audit import events

events.register({
    "search.run": "Recherche parmi les jeunes, les signalements et les réunions",
}, render=events.summary({"requête": "recherche", "signalements": "signalements", "jeunes": "jeunes",
                          "réunions": "réunions"}))
