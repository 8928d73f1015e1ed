from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Comptes rendus mensuels"

    def ready(self) -> None:
        # Its rights, into the access policy's registry.
        from reporting import rules  # noqa: F401
