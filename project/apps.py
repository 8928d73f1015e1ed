from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProjectConfig(AppConfig):
    name = "project"
    verbose_name = "Cellule de suivi"

    def ready(self) -> None:
        from project.database import after_migrate

        # Sent after the whole migrate, once per app that has models (so never for this one).
        post_migrate.connect(after_migrate, dispatch_uid="project.grant_runtime_privileges")
