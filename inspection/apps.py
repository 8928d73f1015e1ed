from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "inspection"
    verbose_name = "Inspection"

    def ready(self) -> None:
        # Its rights and its event types, into the policy's and the trail's registries.
        from inspection import events, rules  # noqa: F401
