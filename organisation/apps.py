from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation"

    def ready(self) -> None:
        # Its rights, into the access policy's registry.
        from organisation import rules  # noqa: F401
