"""The case (signalement) and its state machine.

The transitions below are the case's lifecycle, in one place (drawn in docs/case-lifecycle.md). They only move the
state: who may do each is the access policy's (``cases.rules``), asked by the entry points of
``cases.actions``, which also check the preconditions, write the records that go with a
transition, keep the tasks in step and record the audit event.
"""

import datetime
from collections.abc import Callable
from typing import TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from cases.names import after, words
from organisation.models import Cell, Departement, Role
from organisation.policy import Actor, scope, user_id
from ui import statements
from ui.links import by_id
from workflows.models import OPEN_STATUSES, CaseTask, FormerHolder

T = TypeVar("T")


class State(models.TextChoices):
    RECEIVED = "received", "Reçu"
    FAMILY_CONTACTED = "family_contacted", "Famille contactée"
    ASSIGNED = "assigned", "Attribué"
    IN_CARE = "in_care", "Prise en charge"
    MOBILE_TEAM_REQUESTED = "mobile_team_requested", "Équipe mobile sollicitée"
    CLOSED = "closed", "Clôturé"

    @classmethod
    def open_states(cls) -> list[str]:
        return [s for s in cls.values if s != cls.CLOSED]


class Source(models.TextChoices):
    CNAPR = "cnapr", "CNAPR (numéro vert)"
    EMS = "ems", "État-major de sécurité (EMS)"
    OTHER = "other", "Autre"


class NoContactReason(models.TextChoices):
    NO_DETAILS = "no_details", "Pas de coordonnées de la famille"
    UNREACHABLE = "unreachable", "Famille injoignable après plusieurs tentatives"
    INADVISABLE = "inadvisable", "Contact jugé inopportun"


class ClosureReason(models.TextChoices):
    COMPLETED = "completed", "Prise en charge achevée"
    UNFOUNDED = "unfounded", "Signalement infondé ou hors champ"
    TRANSFERRED = "transferred", "Transféré à un autre département"
    JUSTICE = "justice", "Pris en charge par la justice ou les services de renseignement"
    LEFT = "left", "Départ du territoire"
    CONSENT_LOST = "consent_lost", "Adhésion retirée ou contact perdu"


OPEN = State.open_states()


def _reviewed(s) -> Q:
    """The cases an inspector's mandates cover: their départements, active during the period reviewed."""
    reviewed = Q(pk__in=[])
    for mandate in s.mandates:
        reviewed |= (Q(departement_id__in=[d.pk for d in mandate.departements.all()],
                       received_on__lte=mandate.reviews_until)
                     & (Q(closed_on__isnull=True) | Q(closed_on__gte=mandate.reviews_from)))
    return reviewed


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user: Actor) -> "CaseQuerySet":
        """The cases the user may open: their cellule's as coordinator, those they work or worked on
        (referent, holding or having held one of its tasks: ``workflows.rules.held_task``) as member,
        their mandate's as inspector; none for the others."""
        s = scope(user)
        holding = Exists(CaseTask.objects.filter(case=OuterRef("pk"), listed_owner_id=user_id(user)))
        involved = cast(Q, Q(referent_id=user_id(user)) | holding)  # a Q (django-stubs says a Combinable)
        if (person := user_id(user)) is not None:  # only a signed-in person ever held a task
            involved = cast(Q, involved | Exists(FormerHolder.objects.filter(case=OuterRef("pk"), user_id=person)))
        return self.filter(
            Q(departement_id__in=s.coordinated_departement_ids) | _reviewed(s)
            | (Q(departement_id__in=s.cell_departement_ids) & involved) | self.partnered(user)
        )

    @staticmethod
    def partnered(user: Actor) -> Q:
        """The cases a partner sees their part of (``cases.rules.is_partner``, as a query): a care
        measure under way, oriented on an adhesion, run by an institution the user represents as a
        member of the case's cellule."""
        measures = apps.get_model("cases", "CareMeasure").objects.filter(
            case=OuterRef("pk"), ends_on__isnull=True, consent_lost_on__isnull=True).exclude(adhesion="")
        partnered = Q(pk__in=[])
        for membership in scope(user).memberships:
            if membership.role == Role.MEMBER and membership.cell is not None:
                # Q & Exists is a Q (django-stubs says a Combinable)
                partnered |= cast(Q, Q(departement_id=membership.cell.departement_id) & Exists(
                    measures.filter(institution_id=membership.institution_id)))
        return partnered

    @staticmethod
    def open_without_motive(user: Actor) -> Q:
        """The cases the user opens without giving a motive (``cases.rules.needs_motive``, as a query):
        their cellule's as coordinator, as referent, holding one of its open tasks, under a mandate."""
        s = scope(user)
        holding = Exists(CaseTask.objects.filter(case=OuterRef("pk"), listed_owner_id=user_id(user),
                                                listed_status__in=OPEN_STATUSES))
        return (Q(departement_id__in=s.coordinated_departement_ids) | Q(referent_id=user_id(user)) | holding
                | _reviewed(s) | CaseQuerySet.partnered(user))

    def open(self):
        return self.exclude(state=State.CLOSED)

    def search(self, text: str, user: Actor | None = None) -> "CaseQuerySet":
        """By reference (its beginning), by the source's own file number, or by the young person's
        names and commune: each word, in any order, begins one of them, without accents or punctuation
        (``ndiaye eloise`` finds "N'Diaye-Lefèvre Éloïse"), looked up by prefix on the index of
        ``SearchToken``. For ``user``, names only among the cases they open without a motive:
        finding a case by a name must not reveal what the motive protects; and the words are looked up
        in the départements of their scope only (every case they may see is of one), on the index of
        ``(departement, token)``: the search starts from the words, not from the département's cases."""
        text = text.replace("\x00", "").strip()[:100]  # PostgreSQL refuses a NUL in a string
        if not text:
            return self
        cases = self.model.objects.order_by()  # a part of a UNION is not sorted
        found = cases.filter(**_prefix("reference", text.upper())).values("pk").union(
            cases.filter(source_reference=text).values("pk"))
        if words(text):
            tokens = apps.get_model("cases", "SearchToken").objects
            if user is not None:
                tokens = tokens.filter(departement_id__in=scope(user).departement_ids)
            named = cases.filter(*[Q(person_id__in=tokens.filter(**_prefix("token", word)).values("person_id"))
                                   for word in words(text)[:5]])
            if user is not None:
                named = named.filter(self.open_without_motive(user))
            found = found.union(named.values("pk"))
        # One set of keys, joined to the list: each way in is read through its own index, and only the
        # cases found are then sorted (an OR of the three would be tested on each case of the list).
        return self.filter(pk__in=found)


def _prefix(field: str, prefix: str) -> dict:
    """``field`` begins with ``prefix``, as a range a B-tree index answers (``cases.names.after``)."""
    upper = after(prefix)
    return {f"{field}__gte": prefix, **({f"{field}__lt": upper} if upper else {})}


class Case(ConcurrentTransitionMixin, models.Model):  # type: ignore[django-manager-missing]  # its tasks' model stands on viewflow's, untyped
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, verbose_name="département")
    # The young person the case is about; the same record for every case about them in the département.
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="cases", verbose_name="jeune")
    reference = models.CharField("référence", max_length=20, unique=True)
    year = models.PositiveSmallIntegerField("année")
    number = models.PositiveIntegerField("numéro")
    source = models.CharField("origine", max_length=8, choices=Source.choices)
    received_on = models.DateField("reçu le")
    source_reference = models.CharField(
        "référence à l'origine", max_length=50, blank=True, db_index=True,
        help_text="Le numéro du dossier chez l'émetteur (par exemple le numéro de fiche du CNAPR), s'il en a un.")
    facts = models.TextField("faits signalés (factuels)", max_length=2000)
    orientation_note = models.TextField(
        "orientation du groupe d'évaluation de l'EMS (factuelle)", max_length=1000, blank=True
    )
    state = FSMField("état", max_length=24, choices=State.choices, default=State.RECEIVED, protected=True)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="referred_cases",
        verbose_name="référent",
    )
    no_contact_reason = models.CharField(
        "motif d'attribution sans contact familial", max_length=16, choices=NoContactReason.choices, blank=True
    )
    closure_proposed = models.BooleanField("clôture proposée par le référent", default=False)
    # When the référent's next review falls due (set at the start of care and at each review); the review
    # task is due that day (``cases.task_kinds.REVIEW``).
    next_review_on = models.DateField("prochaine revue le", null=True, blank=True)
    closure_reason = models.CharField("motif de clôture", max_length=16, choices=ClosureReason.choices, blank=True)
    closure_note = models.CharField("note de clôture (factuelle)", max_length=500, blank=True)
    closed_on = models.DateField("clôturé le", null=True, blank=True)
    transferred_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transfers",
        verbose_name="transféré depuis",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    # The last change anyone made to the case or to what belongs to it (``cases.actions.base.touch``): the
    # case list and page mark it to whoever opened the case before (``CaseVisit``). Not in the history:
    # it is the time of the change the history already keeps.
    changed_at = models.DateTimeField("modifié le", null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["changed_at"])

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-number"]
        verbose_name = "signalement"
        constraints = [
            models.UniqueConstraint(fields=["departement", "year", "number"], name="case_number_per_departement_year"),
        ]
        # The case list's order within a département, with its state or not: a page of it is read in order
        # and nothing more (the home's counts by state use the second one too).
        indexes = [models.Index(fields=["departement", "received_on", "number"], name="case_departement_received"),
                   models.Index(fields=["departement", "state", "received_on", "number"],
                                name="case_state_received")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return by_id("cases:detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED

    @property
    def inbox_summary(self) -> str:
        """What the task lists show of the young person: initials and age, never the name."""
        return f"{self.person.initials}, {self.person.age()} ans"

    @property
    def cell(self) -> Cell:
        return self.departement.cell

    @property
    def relatives(self) -> models.QuerySet:
        """The relatives of the young person's family (``Relative.family``): the same records on their
        siblings' cases."""
        return apps.get_model("cases", "Relative").objects.filter(family__young_people=self.person_id)

    def reviewed_by(self, mandate) -> bool:
        """Whether an inspection mandate covers the case: its département, and the case was active
        during the period the mandate reviews (received by its end, not closed before its start)."""
        return (any(d.pk == self.departement_id for d in mandate.departements.all())
                and self.received_on <= mandate.reviews_until
                and (self.closed_on is None or self.closed_on >= mandate.reviews_from))

    def read_once(self, name: str, read: Callable[[], T]) -> T:
        """What a page asks of its case more than once (an action's check, a section, the summary: its
        legal hold, its erasure, its mobile team requests, its history), read once for this object. The
        view reads its case for one request, so the answer lives as long as that request; an entry point
        locks and reads the case afresh (``cases.actions.base.lock``), whose object asks again."""
        key = f"_read_once_{name}"
        if key not in self.__dict__:
            self.__dict__[key] = read()
        answer: T = self.__dict__[key]
        return answer

    def states_reached(self) -> list[tuple[str, datetime.datetime]]:
        """Each state of the case's history with its time, oldest first (``read_once``): its path on its
        page, and whether it ever went past "Reçu" (``retention.periods``)."""
        return self.read_once("states_reached", lambda: statements.values_of("states reached", lambda pk: (
            type(self).history.filter(id=pk).order_by("history_date", "history_id")
            .values_list("state", "history_date")), self.pk))

    def origins(self) -> list["Case"]:
        """The cases this one continues after transfers, nearest first: their file came with it."""
        chain, origin = [], self.transferred_from
        while origin is not None and origin not in chain and origin != self:
            chain.append(origin)
            origin = origin.transferred_from
        return chain

    # --- the lifecycle -------------------------------------------------------------------------

    @transition(field=state, source=State.RECEIVED, target=State.FAMILY_CONTACTED)
    def contact_family(self) -> None:
        """A family contact with the outcome "reached" was recorded."""

    @transition(field=state, source=[State.RECEIVED, State.FAMILY_CONTACTED], target=State.ASSIGNED)
    def assign(self) -> None:
        """A referent, member of the cellule, is named."""

    @transition(field=state, source=State.ASSIGNED, target=State.IN_CARE)
    def start_care(self) -> None:
        """At least one care measure is under way."""

    @transition(field=state, source=[State.ASSIGNED, State.IN_CARE], target=State.MOBILE_TEAM_REQUESTED)
    def request_mobile_team(self) -> None:
        """The préfet calls the national mobile intervention team."""

    @transition(field=state, source=State.MOBILE_TEAM_REQUESTED, target=State.IN_CARE)
    def mobile_team_done(self) -> None:
        """The team reported back, declined, or the request was withdrawn."""

    @transition(field=state, source=OPEN, target=State.CLOSED)
    def close(self) -> None:
        """Closed with a reason and a note."""

    @transition(field=state, source=State.CLOSED, target=State.RECEIVED)
    def reopen(self) -> None:
        """Reopened with a reason: the case starts again from reception."""

    @transition(field=state, source=OPEN, target=State.CLOSED)
    def transfer(self) -> None:
        """Closed here; a new received case is opened in the destination département."""


class CaseCounter(models.Model):
    """The last case number given per département and year: numbers without gaps or duplicates."""

    departement = models.ForeignKey(Departement, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["departement", "year"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.departement_id}/{self.year} : {self.last}"
