from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration data (``seed_demo``, refused outside demo mode) and the national data set of
    the benchmarks and CI (``seed_national``): generators run by commands, no model of their own."""

    name = "demo"
    verbose_name = "Démonstration"
