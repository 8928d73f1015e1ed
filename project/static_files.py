"""Django's static files app, without what no page of ours asks for (INSTALLED_APPS names it)."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """`collectstatic` leaves out viewflow's own front end (its Material scripts and fonts, 74 of the
    108 MB it collected: our pages are the DSFR's) and the packages' Markdown notes. It compressed
    them all twice, gzip and Brotli: more than a minute of CPU at each deployment, and CI's production
    test timed out on it when the machine was busy."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "viewflow/*", "*.md"]
