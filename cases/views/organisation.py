"""Pages of the organisation: a cellule and its composition."""

from django.shortcuts import render
from django.utils import timezone

import audit
from cases import policy
from cases.models import Cell


def cell_detail(request, code: str):
    cell = policy.get_or_404(
        request.user, policy.Action.VIEW_COMPOSITION, Cell.objects.select_related("departement"), departement__code=code
    )
    composition = policy.memberships_visible_to(request.user).filter(cell=cell).active()
    audit.record("cell.view", obj=cell, departement=cell.departement.code)
    return render(request, "cases/cell_detail.html", {"cell": cell, "composition": composition,
                                                       "today": timezone.localdate()})
