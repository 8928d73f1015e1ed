from django.apps import AppConfig


class MobileTeamConfig(AppConfig):
    name = "mobile_team"
    verbose_name = "Équipe mobile d'intervention"

    def ready(self) -> None:
        # Its rights, event types, tasks, actions on the case page and its receiver of a case's closing.
        from mobile_team import actions, case_page, events, rules, tasks  # noqa: F401
