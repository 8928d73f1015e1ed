"""The coordinators' pages of the duplicate records of their département's young people: the pairs the
duplicate detection finds certain (``cases.matching.certain_duplicates``), each with both records'
cases, to merge or keep apart (``cases.actions.merges``); the merges still open, to undo."""

import itertools

from django.contrib.auth.models import User
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

import audit
from cases import actions, matching
from cases.forms import MergeForm
from cases.models import Case, DistinctPeople, Person, PersonMerge
from cases.rules import CaseRight
from organisation import policy
from organisation.models import Departement
from organisation.policy import Actor
from ui.forms import ConfirmForm, submit

READ = 400  # records of certain groups read at most
PAIRS = 50  # pairs proposed at most on the page
MERGES = 20  # latest open merges listed


@require_safe
def duplicates(request) -> HttpResponse:
    cell = policy.coordinated_cell(request.user, CaseRight.MERGE_PEOPLE)
    pairs = proposals(request.user, cell.departement)
    merges = list(PersonMerge.objects.with_newer_cases().filter(kept__departement=cell.departement,
                                                                undone_at__isnull=True)
                  .select_related("kept", "merged", "merged_by")[:MERGES])
    shown = sorted({person.pk for pair in pairs for person, _ in pair}
                   | {pk for merge in merges for pk in (merge.kept_id, merge.merged_id)})
    audit.record("person.duplicates_view", departement=cell.departement.code, details={"fiches": shown})
    return render(request, "cases/duplicates.html", {"cell": cell, "pairs": pairs, "merges": merges,
                                                     "most": PAIRS})


def proposals(user: Actor, departement: Departement) -> list[list[tuple[Person, list[Case]]]]:
    """The pairs of records to merge, each record with the cases of it the user reads: certain
    duplicates, neither kept apart already, each with a case the user reads; in a constant number of
    queries, whatever the size of the département."""
    groups = matching.certain_duplicates(departement, most=READ)
    people = [person for group in groups for person in group]
    cases: dict[int, list[Case]] = {person.pk: [] for person in people}
    for case in Case.objects.filter(person__in=people).select_related("departement").order_by("-received_on"):
        if policy.can(user, CaseRight.VIEW_CASE, case):
            cases[case.person_id].append(case)
    apart = set(DistinctPeople.objects.filter(first__in=people).values_list("first_id", "second_id"))
    pairs = (pair for group in groups for pair in itertools.combinations([p for p in group if cases[p.pk]], 2)
             if (pair[0].pk, pair[1].pk) not in apart)  # each group is ordered by id
    return [[(person, cases[person.pk]) for person in pair] for pair in itertools.islice(pairs, PAIRS)]


@require_http_methods(["GET", "POST"])
def duplicate(request, pk: int, other: int) -> HttpResponse:
    """One pair: both records and their cases, merged or kept apart from here."""
    people = [policy.get_or_404(request.user, CaseRight.MERGE_PEOPLE,
                                Person.objects.filter(merged_into__isnull=True).select_related("departement"),
                                pk=key) for key in (pk, other)]
    if pk == other or matching.identity_of(people[0]) != matching.identity_of(people[1]):
        raise Http404("Ces deux fiches ne sont pas proposées à la fusion.")
    form = MergeForm(request.POST if request.method == "POST" else None, people=people)
    title = "Doublon écarté" if form.is_bound and form.dismissed else "Fiches fusionnées"
    if submit(request, form, title, lambda data: _decide(request.user, people, form.dismissed, data), done=f"{title}."):
        return redirect("cases:duplicates")
    apart = DistinctPeople.objects.filter(first_id=min(pk, other), second_id=max(pk, other)).first()
    readable = {person.pk: [case for case in person.cases.order_by("-received_on")
                            if policy.can(request.user, CaseRight.VIEW_CASE, case)] for person in people}
    audit.record("person.duplicates_view", departement=people[0].departement.code,
                 details={"fiches": [person.pk for person in people]})
    return render(request, "cases/duplicate.html", {
        "pair": [(person, readable[person.pk]) for person in people], "form": form, "apart": apart,
    }, status=400 if form.is_bound else 200)


def _decide(user: User, people: list[Person], dismissed: bool, data: dict) -> PersonMerge | DistinctPeople:
    if dismissed:
        return actions.dismiss_duplicate(user, *people)
    kept, merged = sorted(people, key=lambda person: person.pk != data["keep"])  # the one kept first
    return actions.merge_people(user, kept, merged)


@require_POST
def undo(request, pk: int) -> HttpResponse:
    merge = policy.get_or_404(request.user, CaseRight.MERGE_PEOPLE,
                              PersonMerge.objects.select_related("kept__departement"), pk=pk)
    submit(request, ConfirmForm(request.POST), "Annuler la fusion",
           lambda data: actions.undo_merge(request.user, merge),
           done="Fusion annulée : la fiche fusionnée a retrouvé ses signalements.", redirects=True)
    return redirect("cases:duplicates")
