from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Signalements"

    def ready(self) -> None:
        # Its rights, its event types, and the tasks each state of a case needs.
        from cases import events, rules, tasks  # noqa: F401
