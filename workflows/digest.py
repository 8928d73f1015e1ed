"""What other apps add to the coordinators' daily digest (``send_overdue_digest``): each section is a
function of a cellule giving its lines, a heading first, or none when it has nothing to say
(``cases.stagnation``: the cases that stall)."""

from collections.abc import Callable

from organisation.models import Cell

_SECTIONS: list[Callable[[Cell], list[str]]] = []


def register(section: Callable[[Cell], list[str]]) -> None:
    _SECTIONS.append(section)


def sections(cell: Cell) -> list[str]:
    """Every section's lines for the cellule's coordinators, a blank line between sections."""
    lines: list[str] = []
    for section in _SECTIONS:
        said = section(cell)
        lines += ([""] if lines and said else []) + said
    return lines
