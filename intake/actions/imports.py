"""A cellule's spreadsheet imported through the intake form's entry point, all rows or none.

The dry run and the import are the same path: every row goes through ``cases.actions.intake`` in
one transaction, which the dry run (or any row in error) rolls back, so the dry run reports exactly
what the import would do, with the same rules. Each created case is recorded by the entry point
(``case.intake``), and the import itself once (``intake.import``). A preview imports once
(``ConfirmedPreview``).

A young person the cellule already follows (``cases.matching``) is decided as on the intake form: the
row joins their open case (``add_signalement``), opens a new case on them, or is another young
person. The preview offers the certain match's open case (else a new case on them) and asks when the
match is not certain; the import takes only a decision among those it offers again then. Two lines
about one young person (``matching.identity``) make one person: the later ones join the case of the
first, whatever was decided for it. Every case opened has its tasks due from the import's day."""

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

import audit
from cases import matching
from cases.actions.intake import add_signalement, intake
from cases.models import Case, Relative
from cases.models.people import born
from cases.rules import CaseRight
from intake import spreadsheet
from intake.models import ConfirmedPreview
from organisation import policy
from organisation.errors import ActionRefused
from organisation.models import Cell
from organisation.policy import Actor

DECISION = "Décision"  # the column of a row's errors about its young person already followed


@dataclasses.dataclass
class Row:
    line: int  # the spreadsheet's line number (its headings are line 1)
    who: str
    errors: dict[str, list[str]]
    duplicates: list[str] = dataclasses.field(default_factory=list)  # the cases shown as the same young person's
    elsewhere: list[matching.Elsewhere] = dataclasses.field(default_factory=list)  # whom to contact there
    reference: str = ""  # the case the row opened, or joined
    choices: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (decision, label), when followed
    chosen: str = ""  # the decision taken, or offered by the preview
    same_as: int | None = None  # the earlier line about the same young person, whose case this row joins
    joined: bool = False  # a further signalement on a case already open, without the row's person and relatives
    similar: list[int] = dataclasses.field(default_factory=list)  # earlier lines about someone alike


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


@dataclasses.dataclass
class _Run:
    """What the rows already imported tell the next: their sources' references, and their young people."""

    actor: Actor
    cell: Cell
    decisions: Mapping[int, str] | None
    references: dict[str, int] = dataclasses.field(default_factory=dict)
    people: dict[tuple, tuple[int, Case]] = dataclasses.field(default_factory=dict)  # identity: (line, case)
    created: dict[int, int] = dataclasses.field(default_factory=dict)  # a new young person's id: their line


def import_rows(actor: Actor, cell: Cell, rows: list[dict], *, dry_run: bool,
                decisions: Mapping[int, str] | None = None, file_name: str = "", preview: str = "") -> Report:
    """Run every row through the entry point; keep them only if none fails and this is no dry run.
    ``decisions``: by line, what the coordinator decided for a young person who may already be followed
    (``cases.matching``'s); None for the preview, which runs each row with the decision it offers.
    ``preview``, the id of the dry run being confirmed, imports once: ``ActionRefused`` the next time."""
    policy.require(actor, CaseRight.INTAKE, cell)
    report = Report(rows=[])
    run = _Run(actor, cell, decisions)
    with transaction.atomic():
        if preview and not dry_run:
            _confirm_once(preview)
        for line, values in enumerate(rows, start=2):
            report.rows.append(_row(run, line, values))
        if dry_run or not report.valid:
            transaction.set_rollback(True)
        else:
            audit.record("intake.import", actor=actor, departement=cell.departement.code, details={
                "fichier": file_name[:200], "signalements": [row.reference for row in report.rows if not row.joined],
                **({"rattachés": [f"ligne {row.line} : {row.reference}" for row in report.rows if row.joined]}
                   if any(row.joined for row in report.rows) else {})})
            report.imported = True
    return report


def _confirm_once(preview: str) -> None:
    try:
        with transaction.atomic():
            ConfirmedPreview.objects.create(preview=preview)
    except IntegrityError:
        raise ActionRefused("Cet aperçu a déjà été importé : ses signalements sont dans la liste. Pour en importer "
                            "d'autres, déposez un nouveau fichier.") from None


def _row(run: _Run, line: int, values: dict) -> Row:
    arguments, errors = spreadsheet.arguments(values)
    person = arguments["person"]
    who = " ".join(str(person.get(key, "")) for key in ("first_name", "last_name")).strip() or "(sans nom)"
    row = Row(line=line, who=who, errors=errors)
    _check_relatives(arguments["relatives"], row.errors)
    _check_reference(run, row, arguments.get("source_reference", ""))
    if row.errors:
        return row
    names = {"last_name": person["last_name"], "first_name": person["first_name"], "birth_date": person["birth_date"]}
    row.elsewhere = matching.elsewhere(run.cell.departement, **names)
    try:
        with transaction.atomic():
            case = _import(run, row, arguments, names)
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for field, said in messages.items():
            row.errors.setdefault("Ligne" if field == NON_FIELD_ERRORS else spreadsheet.heading(field), []).extend(said)
    except ActionRefused as refusal:  # the case to join was closed since it was offered
        row.errors.setdefault(DECISION, []).append(refusal.message)
    else:
        if case is not None:
            row.reference = case.reference
            run.people.setdefault(matching.identity(**names), (line, case))
    return row


def _check_reference(run: _Run, row: Row, reference: str) -> None:
    if reference and reference in run.references:
        row.errors.setdefault("Référence à l'origine", []).append(
            f"Déjà celle de la ligne {run.references[reference]} du fichier.")
    elif reference and (known := Case.objects.filter(departement=run.cell.departement, source_reference=reference)
                        .values_list("reference", flat=True).first()):
        row.errors.setdefault("Référence à l'origine", []).append(
            f"Déjà celle du signalement {known} : cette ligne a-t-elle déjà été importée ?")
    if reference:
        run.references.setdefault(reference, row.line)


def _import(run: _Run, row: Row, arguments: dict[str, Any], names: dict[str, Any]) -> Case | None:
    """The row's case: the one an earlier line about the same young person opened or joined; else as
    decided (or, in the preview, as offered) for a young person already followed; else a new one. Its
    tasks are due from today: a signalement of last year is not overdue the day it is imported."""
    signalement = {key: arguments[key] for key, _ in spreadsheet.CASE if key in arguments}
    if (earlier := run.people.get(matching.identity(**names))) is not None:
        row.same_as, row.joined = earlier[0], True
        add_signalement(run.actor, earlier[1], **signalement)
        return earlier[1]
    candidates = _candidates(run, row, names)
    decision = _decision(run, row, candidates)
    if decision is None:
        return None
    today = timezone.localdate()
    if decision == matching.NEW:
        case = intake(run.actor, run.cell, **arguments, dismissed=[c.case.reference for c in candidates],
                      tasks_from=today)
        run.created[case.person_id] = row.line
        return case
    chosen = next(c for c in candidates if decision in (str(c.case.pk), f"{matching.SAME_PERSON}{c.person.pk}"))
    if decision.startswith(matching.SAME_PERSON):
        return intake(run.actor, run.cell, **{**arguments, "person": chosen.person}, tasks_from=today)
    row.joined = True
    add_signalement(run.actor, chosen.case, **signalement)
    return chosen.case


def _candidates(run: _Run, row: Row, names: dict[str, Any]) -> list[matching.Candidate]:
    """The young people already followed who may be this one, whom the actor follows (as the intake
    checks them: a young person whose file left for another département is not), each offered as the
    intake form offers them; those of earlier lines only named (they are not followed yet)."""
    followed = []
    for candidate in matching.find_candidates(run.cell.departement, **names):
        if candidate.person.pk in run.created:
            row.similar.append(run.created[candidate.person.pk])
        elif policy.can(run.actor, CaseRight.VIEW_PERSON, candidate.person):
            followed.append(candidate)
    row.duplicates = [c.case.reference for c in followed]
    for candidate in followed:
        who = f"{candidate.person}, {born(candidate.person.sex)} le {candidate.person.birth_date:%d/%m/%Y}"
        if candidate.case.is_open:
            row.choices.append((str(candidate.case.pk), f"Rattacher au dossier en cours {candidate.case.reference} "
                                f"de {who}"))
        row.choices.append((f"{matching.SAME_PERSON}{candidate.person.pk}", f"Nouveau dossier sur {who} (dossier "
                            f"{'en cours' if candidate.case.is_open else 'clôturé'} {candidate.case.reference})"))
    if followed:
        row.choices.append((_new(followed), "Un autre jeune : nouveau dossier sur une nouvelle personne"))
    return followed


def _new(followed: list[matching.Candidate]) -> str:
    """The decision "another young person", given on the young people shown: the preview's holds only
    while the same are found (one followed since is shown before the import goes on)."""
    return "-".join([matching.NEW, *sorted(str(candidate.person.pk) for candidate in followed)])


def _decision(run: _Run, row: Row, candidates: list[matching.Candidate]) -> str | None:
    """The decision for the row, one of those offered; None (with the row's error) when there is none.
    The preview offers the certain match's open case (else a new case on them), and asks otherwise."""
    offered = [value for value, _ in row.choices]
    if run.decisions is None:
        best = candidates[0] if candidates and candidates[0].certain else None
        row.chosen = "" if best is None else offered[0]
        return row.chosen or matching.NEW  # the preview checks the row as a new case until one is chosen
    row.chosen = run.decisions.get(row.line, "")
    if not offered and row.chosen in ("", matching.NEW):
        return matching.NEW
    if row.chosen in offered:
        return matching.NEW if row.chosen == _new(candidates) else row.chosen
    row.errors.setdefault(DECISION, []).append(
        "Ce choix ne fait pas partie de ceux proposés pour ce jeune : reprenez l'aperçu." if row.chosen else
        "Ce jeune est peut-être déjà suivi : choisissez de rattacher ce signalement à son dossier en cours, "
        "d'ouvrir un nouveau dossier sur ce jeune ou d'enregistrer un autre jeune.")
    row.chosen = ""
    return None


def _check_relatives(relatives: list[dict], errors: dict) -> None:
    """Each relative by the model's own rules, so that an error names its column (the entry point,
    which checks them again, does not say which relative)."""
    for n, values in enumerate(relatives, start=1):
        try:
            Relative(**values).full_clean(exclude=["family"])
        except ValidationError as error:
            for field, said in error.message_dict.items():
                errors.setdefault(spreadsheet.heading(field, relative=n), []).extend(said)
