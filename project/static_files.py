"""Where the static files are found: in the apps' folders, but viewflow's (STATICFILES_FINDERS names it)."""

from django.apps import apps
from django.contrib.staticfiles.finders import AppDirectoriesFinder


class AppsFinder(AppDirectoriesFinder):
    """The apps' static files, without those no page of ours asks for: viewflow's own front end (its
    Material scripts and fonts, 74 of the 108 MB collected: our pages are the DSFR's) and the packages'
    Markdown notes. `collectstatic` compressed them all twice, gzip and Brotli: more than a minute of
    CPU at each deployment, and CI's production test timed out on it when the machine was busy."""

    def __init__(self, app_names=None, *args, **kwargs) -> None:
        names = app_names or [config.name for config in apps.get_app_configs()]
        super().__init__([name for name in names if name != "viewflow"], *args, **kwargs)

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), "*.md"])
