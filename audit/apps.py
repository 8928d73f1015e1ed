from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from audit import jobs, sealer, signals  # noqa: F401  (registers job.run; connects the login/logout receivers)

        # On PostgreSQL, the sealing function as the code has it, after each migrate.
        post_migrate.connect(sealer.after_migrate, dispatch_uid="audit.install_sealer")
