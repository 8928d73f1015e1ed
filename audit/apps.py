from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from audit import jobs, signals  # noqa: F401  (registers job.run; connects the login/logout receivers)
