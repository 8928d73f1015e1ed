"""``manage.py openapi_schema``: the intake API's OpenAPI schema as served, for ``docs/openapi.json``
(``tests/intake/test_contract.py`` checks that the file is the served schema)."""

import json

from django.core.management.base import BaseCommand

from intake.api import api


def schema_text() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Affiche le schéma OpenAPI de l'API de réception des signalements (docs/openapi.json)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(schema_text(), ending="")
