from django.apps import AppConfig


class CelluleConfig(AppConfig):
    name = "cellule"
    verbose_name = "Vie de la cellule"
