from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Signalements"

    def ready(self) -> None:
        # Its rights, its event types, the tasks each state of a case needs, and the handing over of
        # a leaving member's cases (organisation.handover).
        from cases import events, rules, tasks  # noqa: F401
        from cases.actions import referent  # noqa: F401
