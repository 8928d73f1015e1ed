from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Conservation et droits des personnes"

    def ready(self) -> None:
        # Its rights and its event types, into the policy's and the trail's registries; on
        # PostgreSQL, the histories' protection after each migrate (``retention.history``).
        from retention import case_page, events, history, rules  # noqa: F401

        post_migrate.connect(history.after_migrate, dispatch_uid="retention.protect_histories")
