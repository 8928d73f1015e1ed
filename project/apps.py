"""The project's app, which wires the house: once every app is ready, it imports each product app's
modules of a fixed name (``EXTENSION_MODULES``, docs/architecture.md), where the apps declare what
they add to the registries of the apps below them. No app imports its own declarations from ``ready()``."""

from importlib import import_module
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule

# The modules each app may have, and what each declares (into the registry of a lower app):
EXTENSION_MODULES = (
    "rules",  # its rights and the rule that decides each (organisation.policy.rule)
    "events",  # its event types, in French (audit.events.register)
    "task_kinds",  # its kinds of task and what it expects of a case (workflows.kinds.register)
    "case_page",  # its buttons and sections on a case's page (cases.views.case_page.register, register_panel)
    "handover",  # what a leaving member holds of it, and to whom it goes (organisation.handover.register)
    "receivers",  # its receivers of signals: Django's, the case's lifecycle, the e-mail queue's deliveries
    "digest",  # its sections of the coordinators' daily digest (workflows.digest.register)
    "agenda_reasons",  # why a meeting should discuss a case (cases.agenda_reasons.register)
)


def product_apps() -> list[AppConfig]:
    """The product's own apps (third-party ones may have modules of the same names)."""
    return [config for config in apps.get_app_configs() if Path(config.path).parent == Path(settings.BASE_DIR)]


class ProjectConfig(AppConfig):
    name = "project"
    verbose_name = "Cellule de suivi"

    def ready(self) -> None:
        for name in EXTENSION_MODULES:
            for config in product_apps():
                if module_has_submodule(config.module, name):
                    import_module(f"{config.name}.{name}")
