from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Tâches"

    def ready(self) -> None:
        # Its rights, into the access policy's registry.
        from workflows import rules  # noqa: F401
