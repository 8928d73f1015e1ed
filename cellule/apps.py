from django.apps import AppConfig


class CelluleConfig(AppConfig):
    name = "cellule"
    verbose_name = "Vie de la cellule"

    def ready(self) -> None:
        # Its rights, event types, tasks and actions on the case page.
        from cellule import case_page, events, rules, tasks  # noqa: F401
