from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Tâches"

    def ready(self) -> None:
        # Its rights and its event types, into the policy's and the trail's registries.
        from workflows import events, rules  # noqa: F401
