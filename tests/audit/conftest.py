"""The trail's own tests record events of made-up types: registered here, as an app would."""

from audit import events

events.register({name: f"Événement de test ({name})" for name in (
    "test.evenement", "test.injection", "test.immuable", "test.concurrent", "test.un", "test.deux", "test.perdu",
    "test.garde", "test.annule", "test.dans_une_transaction")})
