"""Print the case state machine as a Mermaid diagram, generated from the transitions of ``Case``."""

from django.core.management.base import BaseCommand

from cases.models import Case, State


def mermaid() -> str:
    lines = ["stateDiagram-v2"]
    lines += [f"    {state.value}: {state.label}" for state in State]
    lines.append(f"    [*] --> {State.RECEIVED.value}: intake")
    transitions = sorted(
        (t.source, t.target, t.name) for t in Case._meta.get_field("state").get_all_transitions(Case)
    )
    lines += [f"    {source} --> {target}: {name}" for source, target, name in transitions]
    return "\n".join(lines) + "\n"


def document() -> str:
    return (
        "# Cycle de vie d'un signalement\n\n"
        "Généré depuis `cases/models/case.py` par `manage.py case_diagram --markdown > docs/case-lifecycle.md` ;\n"
        "un test vérifie qu'il est à jour.\n\n```mermaid\n" + mermaid() + "```\n"
    )


class Command(BaseCommand):
    help = "Affiche le diagramme d'états des signalements (Mermaid), généré depuis le code."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--markdown", action="store_true", help="Page Markdown complète pour docs/.")

    def handle(self, *args, markdown: bool = False, **options) -> None:
        self.stdout.write(document() if markdown else mermaid(), ending="")
