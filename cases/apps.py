from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Signalements"

    def ready(self) -> None:
        from organisation.roles import sync_role_groups

        # Sent after every migrate and every test flush, once this app's permissions (and those of
        # the apps listed before it in INSTALLED_APPS) exist.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="cases.sync_role_groups")
