from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Comptes rendus mensuels"

    def ready(self) -> None:
        # Its rights and its event types, into the policy's and the trail's registries.
        from reporting import events, rules  # noqa: F401
