"""What the purge erases of an expired case, and what it keeps.

Every model that holds rows of a case (by a foreign key to the case, or to such a row) is found
from the models themselves, so that a model added later is erased too: its rows are deleted
(``DELETE``) or lose every free text (a text field without choices) but those ``KEEP`` names; the
few models that hold nothing personal are ``NOT_PERSONAL``. ``tests/retention/test_purge.py``
puts a canary in every personal field and looks for it in every table and file after the purge.

So the case's row keeps its reference, département, dates, states, source and reasons; the young
person, once the last of their cases is erased (``PERSON``: until then another case still follows
them), their sex, situation and year of birth; the consents, the care measures, the dates and
outcomes of contacts, reviews, interviews and mobile team requests stay: what the monthly reports
(``reporting.figures``) and the statistics count. Every name, address, phone, e-mail and free text
goes, with the notes and their attachments (files too), the messages with the mobile team, the
relatives of the young person's family once the last case about its young people is erased
(``families_going``), and the same in the history tables (``retention.history``). The trail is never
touched: its events name cases by reference and id, and the free texts they refer to (a
consultation motive's précision, a reopening's reason: ``cases.event_texts``) are rows of the case,
deleted here; the purge adds one event per case.
"""

from dataclasses import dataclass
from typing import cast

from django.db import models
from django.db.models import Q

from cases.models import Case, Person, Relative, SearchToken

# Rows deleted whole: they are about people (or, the notifications, told about a case gone), and no figure
# counts them.
DELETE = {"cases.casenote", "cases.noteattachment", "mobile_team.requestmessage",
          "mobile_team.messageattachment", "cases.eventtext", "workflows.notification"}
# Texts kept: identifiers and codes the reports and the links between cases need.
KEEP = {"cases.case": {"reference"}, "mobile_team.mobileteamrequest": {"departement"}}
# Rows of a case with nothing personal in them: the workflow's process and tasks, the purge's mark, when
# each person last opened it.
NOT_PERSONAL = {"workflows.caseprocess", "workflows.casetask", "retention.erasure", "cases.case",
                "cases.casevisit"}


@dataclass(frozen=True)
class Erase:
    """The rows of ``model`` that belong to a case (``path`` leads from the model to the case)."""

    model: type[models.Model]
    path: str

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def delete(self) -> bool:
        return self.label in DELETE

    def texts(self, model: type[models.Model] | None = None) -> list[str]:
        """The free texts of ``model`` (this one, or its history) that are erased."""
        keep = KEEP.get(self.label, set())
        return [f.name for f in (model or self.model)._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField) and not f.choices and not f.is_relation
                and not f.primary_key and f.name not in keep and not f.name.startswith("history_")]

    def rows(self, case_id: int) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.path: case_id})


def _children(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    return [rel for rel in model._meta.related_objects
            if (rel.one_to_many or rel.one_to_one) and _model(rel)._meta.label_lower not in NOT_PERSONAL]


def _model(rel: models.ForeignObjectRel) -> type[models.Model]:
    """The model on the other side of a reverse relation (never "self" there: Django resolved it)."""
    return cast(type[models.Model], rel.related_model)


DEPTH = 3  # a message's file: case → request → message → file


def linked() -> list[Erase]:
    """The case, then the models under it, the deeper ones first (what points to a row goes before it)."""
    levels = [[Erase(_model(rel), rel.field.name) for rel in _children(Case)]]
    while len(levels) < DEPTH:
        levels.append([Erase(_model(rel), f"{rel.field.name}__{parent.path}")
                       for parent in levels[-1] for rel in _children(parent.model)])
    return [Erase(Case, "pk"), *(item for level in reversed(levels) for item in level)]


def stored_files(case_id: int) -> list[str]:
    """The stored names of the files joined to the case's rows (notes, messages: ``StoredFile``)."""
    return [name for item in linked() if any(f.name == "stored_name" for f in item.model._meta.concrete_fields)
            for name in item.rows(case_id).values_list("stored_name", flat=True)]


def erase_live(case: Case) -> tuple[dict[str, int], list[str]]:
    """Erase the case's live rows; the number of rows erased per model, and the attachments' stored
    names, whose files the caller removes once the transaction has committed."""
    counts: dict[str, int] = {}
    files = stored_files(case.pk)
    for item in linked():
        rows = item.rows(case.pk)
        if item.delete:
            erased = rows.delete()[1].get(item.model._meta.label, 0)
        else:
            erased = rows.update(**{name: "" for name in item.texts()}) if item.texts() else 0
        if erased:
            counts[item.label] = erased
    if last_case(case):
        people = list(Person.objects.filter(_records(case)))
        for person in people:  # the year of birth stays, for the statistics by age; the words they were found by go
            Person.objects.filter(pk=person.pk).update(birth_date=person.birth_date.replace(month=1, day=1),
                                                       **{name: "" for name in PERSON.texts()})
        counts[PERSON.label] = len(people)
        erased = SearchToken.objects.filter(person__in=people).delete()[0]
        if erased:
            counts["cases.searchtoken"] = erased
    erased = Relative.objects.filter(family_id__in=families_going(case)).delete()[0]
    if erased:
        counts[Relative._meta.label_lower] = erased
    return counts, files


# The young person: erased with the last of their cases (``last_case``), their texts as the other rows',
# and so are the records merged into theirs (``cases.actions.merges``), which hold no case of their own.
PERSON = Erase(Person, "cases")


def _records(case: Case) -> Q:
    """The case's young person's record and those merged into it."""
    return Q(pk=case.person_id) | Q(merged_into=case.person_id)


def last_case(case: Case) -> bool:
    """Whether every other case about the case's young person is erased already: the person goes now."""
    return not Case.objects.filter(person_id=case.person_id, erasure__isnull=True).exclude(pk=case.pk).exists()


def families_going(case: Case) -> list[int]:
    """The families whose relatives go with the case: its young person's (and those of the records merged
    into theirs), once every other case about the young people of the family is erased."""
    families = Person.objects.filter(_records(case)).values_list("family_id", flat=True)
    kept = (Case.objects.filter(person__family_id__in=families, erasure__isnull=True).exclude(pk=case.pk)
            .values_list("person__family_id", flat=True))
    return sorted(set(families) - set(kept))


def histories() -> list[Erase]:
    """The linked models that keep a history (django-simple-history): each version holds a copy."""
    return [item for item in linked() if hasattr(item.model, "history")]
