from django.apps import AppConfig


class MobileTeamConfig(AppConfig):
    name = "mobile_team"
    verbose_name = "Équipe mobile d'intervention"
