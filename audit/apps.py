from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from audit import signals  # noqa: F401  (connects the login/logout receivers)
