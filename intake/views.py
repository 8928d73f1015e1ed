"""The spreadsheet import's pages: the template to download, the upload and its dry run, the import.

Coordinators only, in their cellule (``CaseRight.INTAKE``, as the intake form)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

import audit
from cases.rules import CaseRight
from intake import forms, spreadsheet
from intake.actions.imports import DECISION, Report, import_rows
from organisation import policy
from organisation.errors import ActionRefused
from ui.french import count

TEMPLATES = {"csv": ("text/csv; charset=utf-8", spreadsheet.template_csv),
             "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", spreadsheet.template_xlsx)}
CHOICE = "choix-"  # the preview's field of a line's decision, before the line's number


@require_GET
def template(request, fmt: str):
    policy.coordinated_cell(request.user, CaseRight.INTAKE)
    if fmt not in TEMPLATES:
        raise Http404("Format inconnu.")
    content_type, build = TEMPLATES[fmt]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="modele-signalements.{fmt}"'
    return response


def upload(request):
    """The upload, then its dry run: row by row, what would be created and what is wrong."""
    cell = policy.coordinated_cell(request.user, CaseRight.INTAKE)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "cell": cell, "max_rows": spreadsheet.MAX_ROWS}
    if request.method != "POST":
        return render(request, "intake/import.html", context)
    if not form.is_valid():
        return render(request, "intake/import.html", context, status=400)
    upload = form.cleaned_data["spreadsheet"]
    try:
        rows = spreadsheet.read(upload.name, upload.read(settings.INTAKE_IMPORT_MAX_BYTES + 1))
    except spreadsheet.Unreadable as error:
        form.add_error("spreadsheet", str(error))
        return render(request, "intake/import.html", context, status=400)
    report = import_rows(request.user, cell, rows, dry_run=True, file_name=upload.name)
    _record_preview(report, upload.name, cell)
    signed = forms.sign(rows, upload.name, request.user, cell) if report.valid else ""
    return render(request, "intake/report.html", {**context, "report": report, "file_name": upload.name,
                                                  "signed": signed}, status=200 if report.valid else 400)


@require_POST
def confirm(request):
    """The import of the rows the dry run showed, all or none."""
    cell = policy.coordinated_cell(request.user, CaseRight.INTAKE)
    signed = forms.unsign(request.POST.get("rows", ""), request.user, cell)
    if signed is None:
        messages.error(request, "Cet aperçu a expiré ou n'est pas valable : déposez le fichier à nouveau.")
        return redirect("intake:import")
    try:
        report = import_rows(request.user, cell, signed["rows"], dry_run=False, decisions=_decisions(request),
                             file_name=signed["file"], preview=signed["preview"])
    except ActionRefused as refusal:  # confirmed already (a second click, a replay)
        messages.error(request, refusal.message)
        return redirect("cases:list")
    if report.imported:
        messages.success(request, f"{count(len(report.rows), 'signalement importé', 'signalements importés')}.")
        return redirect("cases:list")
    # A decision missing or refused: the same preview, to decide again. Something else changed since the
    # dry run (another intake, the date): the file is to be uploaded again. Nothing was imported.
    undecided = all(set(row.errors) <= {DECISION} for row in report.rows)
    return render(request, "intake/report.html", {"form": forms.UploadForm(), "cell": cell, "report": report,
                                                  "file_name": signed["file"],
                                                  "signed": request.POST["rows"] if undecided else ""}, status=400)


def _decisions(request) -> dict[int, str]:
    """The decision posted for each line whose young person may already be followed."""
    return {int(name.removeprefix(CHOICE)): value for name, value in request.POST.items()
            if name.startswith(CHOICE) and name.removeprefix(CHOICE).isdigit()}


def _record_preview(report: Report, file_name: str, cell) -> None:
    """The dry run shows the references of cases the young people may match: a read, recorded."""
    shown = sorted({reference for row in report.rows for reference in row.duplicates})
    audit.record("intake.import_preview", departement=cell.departement.code,
                 details={"fichier": file_name[:200], "lignes": len(report.rows), "doublons_possibles": shown})
