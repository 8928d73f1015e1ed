from django.apps import AppConfig


class CelluleConfig(AppConfig):
    name = "cellule"
    verbose_name = "Vie de la cellule"

    def ready(self) -> None:
        from cellule import case_page  # noqa: F401  (its actions on the case page)
