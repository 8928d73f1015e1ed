"""A local prevention body's page for the cellule's coordinators: who it is, the cellule's orientations to
it, and the log of their exchanges."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cases.models import CareMeasure
from cellule import actions as cellule
from cellule.forms import ExchangeForm
from cellule.rules import CelluleRight
from organisation import policy
from organisation.models import Institution
from ui.forms import submit


def body(request, pk: int):
    cell = policy.coordinated_cell(request.user, CelluleRight.LIAISE)
    institution = get_object_or_404(Institution, pk=pk, departement=cell.departement,
                                    category=Institution.Category.LOCAL_PREVENTION)
    form = ExchangeForm(request.POST if request.method == "POST" else None)
    if submit(request, form, "Échange", lambda data: cellule.record_exchange(request.user, cell, institution, **data),
              done="Échange enregistré."):
        return redirect("prevention:body", pk=pk)
    today = timezone.localdate()
    measures = CareMeasure.objects.filter(institution=institution, case__departement=cell.departement)
    return render(request, "cellule/prevention_body.html", {
        "cell": cell, "institution": institution, "form": form,
        "exchanges": institution.exchanges.filter(cell=cell).select_related("recorded_by"),
        "orientations": {"total": measures.count(),
                         "under_way": measures.filter(starts_on__lte=today).exclude(ends_on__lte=today).count()}},
        status=400 if form.is_bound else 200)
