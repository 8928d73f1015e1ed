from django.apps import AppConfig


class MobileTeamConfig(AppConfig):
    name = "mobile_team"
    verbose_name = "Équipe mobile d'intervention"

    def ready(self) -> None:
        # Its actions on the case page, and its receiver of the case's closing.
        from mobile_team import actions, case_page  # noqa: F401
