from django.apps import AppConfig
from django.db.models.signals import post_migrate

from cases.signals import case_reopening


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Conservation et droits des personnes"

    def ready(self) -> None:
        # Its rights and its event types, into the policy's and the trail's registries; an erased
        # case refused its reopening; on PostgreSQL, the histories' protection after each migrate.
        from retention import case_page, events, history, rules  # noqa: F401

        case_reopening.connect(rules.refuse_reopening, dispatch_uid="retention.refuse_reopening")
        post_migrate.connect(history.after_migrate, dispatch_uid="retention.protect_histories")
