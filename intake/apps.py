from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Réception des signalements (API et import)"

    def ready(self) -> None:
        # Its rights and its event types.
        from intake import events, rules  # noqa: F401
