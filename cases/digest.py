"""The cases' section of the coordinators' daily digest (``workflows.digest``): the cases that stall."""

from django.utils import timezone

from cases.stagnation import stagnant
from organisation.models import Cell
from workflows import digest


def stalled(cell: Cell) -> list[str]:
    cases = stagnant(cell)
    return [f"Signalements sans action depuis plus de {cell.stagnant_days} jours :"] + [
        f"- {case.reference} : dernière action {_on(case)}, référent : "
        f"{case.referent.get_full_name() if case.referent else 'aucun'}" for case in cases] if cases else []


def _on(case) -> str:
    return f"le {timezone.localtime(case.last_action):%d/%m/%Y}" if case.last_action else "inconnue"


digest.register(stalled)
