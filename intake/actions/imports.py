"""A cellule's spreadsheet imported through the intake form's entry point, all rows or none.

The dry run and the import are the same path: every row goes through ``cases.actions.intake`` in
one transaction, which the dry run (or any row in error) rolls back, so the dry run reports exactly
what the import would do, with the same rules. Each created case is recorded by the entry point
(``case.intake``), and the import itself once (``intake.import``). A preview imports once
(``ConfirmedPreview``)."""

import dataclasses

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

import audit
from cases import matching
from cases.actions.intake import intake
from cases.models import Case, Relative
from cases.rules import CaseRight
from intake import spreadsheet
from intake.models import ConfirmedPreview
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell
from organisation.policy import Actor


@dataclasses.dataclass
class Row:
    line: int  # the spreadsheet's line number (its headings are line 1)
    who: str
    errors: dict[str, list[str]]
    duplicates: list[str] = dataclasses.field(default_factory=list)
    elsewhere: bool = False
    reference: str = ""


@dataclasses.dataclass
class Report:
    rows: list[Row]
    imported: bool = False

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

    @property
    def in_error(self) -> int:
        return sum(bool(row.errors) for row in self.rows)


def import_rows(actor: Actor, cell: Cell, rows: list[dict], *, dry_run: bool, file_name: str = "",
                preview: str = "") -> Report:
    """Run every row through the entry point; keep them only if none fails and this is no dry run.
    ``preview``, the id of the dry run being confirmed, imports once: ``ActionRefused`` the next time."""
    policy.require(actor, CaseRight.INTAKE, cell)
    report = Report(rows=[])
    with transaction.atomic():
        if preview and not dry_run:
            _confirm_once(preview)
        references: dict[str, int] = {}
        for line, values in enumerate(rows, start=2):
            report.rows.append(_row(actor, cell, line, values, references))
        if dry_run or not report.valid:
            transaction.set_rollback(True)
        else:
            audit.record("intake.import", actor=actor, departement=cell.departement.code,
                         details={"fichier": file_name[:200], "signalements": [row.reference for row in report.rows]})
            report.imported = True
    return report


def _confirm_once(preview: str) -> None:
    try:
        with transaction.atomic():
            ConfirmedPreview.objects.create(preview=preview)
    except IntegrityError:
        raise ActionRefused("Cet aperçu a déjà été importé : ses signalements sont dans la liste. Pour en importer "
                            "d'autres, déposez un nouveau fichier.") from None


def _row(actor: Actor, cell: Cell, line: int, values: dict, references: dict[str, int]) -> Row:
    arguments, errors = spreadsheet.arguments(values)
    person = arguments["person"]
    who = " ".join(str(person.get(key, "")) for key in ("first_name", "last_name")).strip() or "(sans nom)"
    row = Row(line=line, who=who, errors=errors)
    _check_relatives(arguments["relatives"], row.errors)
    reference = arguments.get("source_reference", "")
    if reference and reference in references:
        row.errors.setdefault("Référence à l'origine", []).append(
            f"Déjà celle de la ligne {references[reference]} du fichier.")
    elif reference and (known := Case.objects.filter(departement=cell.departement, source_reference=reference)
                        .values_list("reference", flat=True).first()):
        row.errors.setdefault("Référence à l'origine", []).append(
            f"Déjà celle du signalement {known} : cette ligne a-t-elle déjà été importée ?")
    if reference:
        references.setdefault(reference, line)
    if row.errors:
        return row
    names = {"last_name": person["last_name"], "first_name": person["first_name"], "birth_date": person["birth_date"]}
    row.duplicates = [c.case.reference for c in matching.find_candidates(cell.departement, **names)]
    row.elsewhere = matching.exists_elsewhere(cell.departement, **names)
    try:
        with transaction.atomic():
            row.reference = intake(actor, cell, **arguments).reference
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for field, said in messages.items():
            row.errors.setdefault("Ligne" if field == NON_FIELD_ERRORS else spreadsheet.heading(field), []).extend(said)
    return row


def _check_relatives(relatives: list[dict], errors: dict) -> None:
    """Each relative by the model's own rules, so that an error names its column (the entry point,
    which checks them again, does not say which relative)."""
    for n, values in enumerate(relatives, start=1):
        try:
            Relative(**values).full_clean(exclude=["family"])
        except ValidationError as error:
            for field, said in error.message_dict.items():
                errors.setdefault(spreadsheet.heading(field, relative=n), []).extend(said)
