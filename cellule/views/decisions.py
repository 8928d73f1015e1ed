"""A meeting's decision on a case, on its owner's page: what was decided, by when, and the form that says
its follow-up is done (the task ``meeting_decision`` leads here)."""

from django.shortcuts import redirect, render

import audit
from cellule import actions as cellule
from cellule.forms import DecisionDoneForm
from cellule.models import MeetingItem
from cellule.rules import CelluleRight
from organisation import policy
from ui.forms import submit


def decision(request, pk: int):
    # Someone else's decision, or one outside the user's cellule, answers 404 as a missing one.
    item = policy.get_or_404(request.user, CelluleRight.COMPLETE_DECISION, MeetingItem.objects.exclude(outcome="")
                             .select_related("meeting", "owner", "case__person", "case__departement",
                                             "case__referent"), pk=pk)
    form = DecisionDoneForm(request.POST if request.method == "POST" else None)
    if submit(request, form, "Décision", lambda data: cellule.complete_decision(request.user, item, **data),
              done="Suite donnée : la tâche est faite."):
        return redirect("workflows:inbox")
    audit.record("case.meeting_decision_view", obj=item.case, departement=item.case.departement.code,
                 details={"signalement": item.case.reference})
    return render(request, "meetings/decision.html", {"item": item, "form": form},
                  status=400 if form.errors else 200)
