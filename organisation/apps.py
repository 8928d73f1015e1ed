from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation"

    def ready(self) -> None:
        # Its rights and its event types, into the policy's and the trail's registries; the guard
        # that no account is saved as superuser; what a session is recognised by, at the login.
        from organisation import events, rules, sessions, signals  # noqa: F401
