from django.apps import AppConfig


class VigilanceConfig(AppConfig):
    name = "vigilance"
    verbose_name = "Vigilance sur les lectures"
