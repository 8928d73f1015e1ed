from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "inspection"
    verbose_name = "Inspection"

    def ready(self) -> None:
        # Its rights, into the access policy's registry.
        from inspection import rules  # noqa: F401
