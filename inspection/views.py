"""The inspectors' review of the audit trail, and the coordinators' view of the inspection's reads.

Every page here is itself a read of the trail, recorded as an event in the département concerned.
"""

import io
import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

import audit
from audit import proofs, receipts, sealer
from audit.exports import ExportTooLarge, build_bundle, write_csv
from audit.models import Event
from cases.models import Case
from cases.rules import CaseRight
from inspection import actions as inspection
from inspection import display, queries
from inspection.forms import EventSearchForm
from inspection.rules import InspectionRight, coordinated_codes
from organisation import policy
from organisation.models import Role
from ui.counts import CappedPaginator
from ui.forms import ConfirmForm

PAGE_SIZE = 50


def _require_mandate(request) -> None:
    if not policy.scope(request.user).mandates:
        raise policy.AccessDenied(request.user, InspectionRight.VIEW_AUDIT)


def _departements(request) -> list[tuple[str, str]]:
    seen = {}
    for mandate in policy.scope(request.user).mandates:
        for d in mandate.departements.all():
            seen[d.code] = str(d)
    return sorted(seen.items())


def _codes(request) -> frozenset[str]:
    """The départements whose cases the reader may see named: those of their mandates."""
    return frozenset(code for code, _ in _departements(request))


def _read(action: str, request, departement: str = "", **details) -> None:
    """Record the inspector's read, once per département it covers."""
    codes = [departement] if departement else [code for code, _ in _departements(request)]
    for code in codes:
        audit.record(action, departement=code, details={"page": request.path, **details})


def search(request):
    _require_mandate(request)
    form = EventSearchForm(request.GET or None, departements=_departements(request))
    events = queries.search(request.user, form) if not form.is_bound or form.is_valid() else Event.objects.none()
    page = CappedPaginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = display.for_page(page.object_list, _codes(request))
    _read("audit.search", request, request.GET.get("departement", ""),
          critères={k: v for k, v in request.GET.items() if k != "page"})
    return render(request, "inspection/search.html", {"form": form, "page": page, "query": request.GET,
                                                      "export_query": request.GET.urlencode(),
                                                      "verifier_key": _verifier_key()})


def _verifier_key() -> str:
    """The log's verifier key, which the stand-alone verifier is given; none while no key signs the trail."""
    try:
        return receipts.verifier_key()
    except ImproperlyConfigured:
        return ""


def export(request, kind: str):
    _require_mandate(request)
    form = EventSearchForm(request.GET or None, departements=_departements(request))
    if form.is_bound and not form.is_valid():
        return render(request, "inspection/search.html", {"form": form, "page": None, "query": request.GET}, status=400)
    events = queries.search(request.user, form)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")  # the time of Paris, as the file's lines
    if kind == "csv":
        buffer = io.StringIO()
        codes = _codes(request)
        count = write_csv(events, buffer, role_labels=dict(Role.choices),
                          prepare=lambda rows: display.for_export(rows, codes))
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="journal-audit-{stamp}.csv"'
    else:
        try:
            codes = _codes(request)
            bundle = build_bundle(events, keep=lambda row: not display.names_elsewhere(row["details"], codes))
        except ExportTooLarge as error:
            return render(request, "inspection/search.html", {"form": form, "page": None, "query": request.GET,
                                                              "error": str(error)}, status=400)
        count = len(bundle["events"])
        response = HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="journal-audit-{stamp}.json"'
    _read(f"export.audit_{kind}", request, request.GET.get("departement", ""), événements=count,
          critères={k: v for k, v in request.GET.items()})
    return response


def verifier(request):
    """The stand-alone verifier (``audit/proofs.py``, standard library and ``cryptography``): what checks a
    bundle, a checkpoint or a proof on the inspector's own machine, without the application."""
    _require_mandate(request)
    response = HttpResponse(Path(proofs.__file__).read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verificateur_journal.py"'
    return response


def case_timeline(request, reference: str):
    _require_mandate(request)
    case = policy.get_or_404(request.user, CaseRight.VIEW_CASE, Case.objects.select_related("departement"),
                             reference=reference)
    timeline = display.for_page(queries.case_timeline(request.user, case.reference), _codes(request))
    _read("audit.case_timeline", request, case.departement.code, signalement=case.reference)
    return render(request, "inspection/case_timeline.html", {"case": case, "timeline": timeline})


def user_activity(request, username: str):
    _require_mandate(request)
    person = get_object_or_404(get_user_model(), username=username)
    page = Paginator(queries.user_activity(request.user, person), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = display.for_page(page.object_list, _codes(request))
    _read("audit.user_activity", request, utilisateur=username)
    return render(request, "inspection/user_activity.html", {"person": person, "page": page, "query": request.GET})


def integrity(request):
    _require_mandate(request)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():  # "Vérifier maintenant": a bounded check, recorded
        result = inspection.verify_now(request.user)
        level = messages.SUCCESS if result["intègre"] else messages.ERROR
        messages.add_message(request, level, f"{result['message']} Durée : {result['durée_ms']} ms.")
        return redirect("inspection:integrity")
    # Each check (verify_audit, or an inspector's on demand) is an event of the trail itself, chained,
    # and proven by the application: the status is the last proven one's, never a row anyone inserted.
    checks = [{"ran_at": c.event.time, "by": c.event.actor_label, "verified": c.details.get("vérifiés", 0),
               "ok": c.details.get("intègre", False), "message": c.details.get("message", ""),
               "duration_ms": c.details.get("durée_ms"), "proven": c.proven}
              for c in queries.integrity_checks()]
    last = next((check for check in checks if check["proven"]), None)
    # Which witnesses cosigned each checkpoint (audit.cosigning): one the application alone signed
    # is not established. Checkpoints from before the witnesses name none and needed none.
    checkpoints = [{"taken_at": c.event.time, "size": c.details.get("rang", 0),
                    "cosigned": c.details.get("témoins", []), "refusals": c.details.get("refus", {}),
                    "quorum": c.details.get("quorum", 0), "established": c.details.get("établi", True),
                    "proven": c.proven}
                   for c in queries.witnessed_checkpoints()]
    window, head = sealer.unsealed(), sealer.head()  # as they were before this page's own read
    _read("audit.integrity", request)
    return render(request, "inspection/integrity.html", {
        "checks": checks, "last": last, "unproven": sum(not check["proven"] for check in checks),
        "window": window, "head": head, "recent": inspection.RECENT, "checkpoints": checkpoints,
        "unestablished": sum(c["proven"] and not c["established"] for c in checkpoints)})


def inspection_reads(request):
    """For coordinators: what the inspection consulted in their département."""
    policy.require(request.user, InspectionRight.VIEW_INSPECTION_READS)
    coordinated = coordinated_codes(request.user)
    page = Paginator(queries.inspection_reads(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for code in coordinated:  # the page names the inspectors and what they read: a read of the trail
        audit.record("audit.inspection_reads", departement=code, details={"événements": len(page)})
    return render(request, "inspection/inspection_reads.html", {"page": page, "query": request.GET})
