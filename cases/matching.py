"""Is this young person already followed? The duplicate detection run at every intake (form, API, import).

Public API (stable; the intake API and the spreadsheet import call it):

``find_candidates(departement, *, last_name, first_name, birth_date) -> list[Candidate]``
    The young people of the département (a ``Departement`` or its id) who may be this one, best first.
    A ``Candidate`` has ``person``, ``case`` (their open case, else their latest), ``score`` (0 to 1)
    and ``certain``: the same names once normalised (``cases.names.name_key``: accents, case, hyphens,
    apostrophes and the order of particles do not count) and the same birth date. ``certain`` is what an
    automatic caller may act on alone (link the new signalement to that person's open case, or open a
    new case on that person); the others are for a person to decide.

``identity(last_name, first_name, birth_date) -> tuple``, ``identity_of(person)``
    What two records that match for certain share: two rows of one spreadsheet about one young person,
    two records of a young person to merge.

``NEW``, ``SAME_PERSON``: the decisions on a candidate, as the intake form and the import send them: the
digits of the candidate's open case (join it), ``SAME_PERSON`` and the person's id (a new case on them),
or ``NEW`` (another young person).

``elsewhere(departement, *, last_name, first_name, birth_date) -> list[Elsewhere]``
    The *other* départements where such a young person may be known, each with whom to contact there (its
    cellule's coordinators: name, function, e-mail): all that is said across the country, so that one
    cellule calls the other; never which case, nor anything of it.

``find_families(departement, *, last_name, address, relatives) -> list[FamilyCandidate]``
    The families of the département this young person may belong to, a brother or sister being
    followed: a relative typed who is one of the family's (``Relative.same_as``), or a young person of
    the same surname (``name_key``) at the same address (``cases.names.words``). A ``FamilyCandidate`` has
    ``family``, its ``young_people`` and ``why`` it is proposed. Never certain: a person decides.

``certain_duplicates(departement, *, most) -> list[list[Person]]``
    The département's records that are certainly one young person each, in groups (each by id), the
    groups by name: what the coordinators are proposed to merge (``cases.views.merges``).

None of them checks rights nor records anything: the caller shows a candidate only to who may see its
case. A record merged into another (``Person.merged_into``) is never a candidate, nor a duplicate.

How (``find_candidates``): the people of the département born on that date or on its day/month swap, and those whose
surname has the same French phonetic key (``cases.names.phonetic``) born the same year or the same
day and month, come from two indexes (``Person.birth_date``, ``Person.phonetic_last``); each is
then scored in Python. A name scores the Jaro-Winkler similarity (rapidfuzz) of the normalised
surnames and of the first names, raised when the phonetic keys agree or one compound name holds the
other (``Ndiaye`` in ``N'Diaye-Lefèvre``), whichever order (first and last names swapped) is best.
A candidate has a name score of at least ``NAME_THRESHOLD`` with the birth date or its swap, or
``CLOSE_NAME_THRESHOLD`` with a birth date one part (day, month or year) off. Measured by
``bench/matching.py`` (``docs/performance.md``).
"""

import dataclasses
import datetime
import itertools

from django.db.models import Exists, OuterRef, Q
from rapidfuzz.distance import JaroWinkler

from cases.models import Case, Family, Person, Relative, State
from cases.names import core_words, name_key, phonetic, swapped, words
from organisation.models import Departement, Membership, Role

NAME_THRESHOLD = 0.86
CLOSE_NAME_THRESHOLD = 0.95
MOST = 10  # candidates shown at most
NEW = "new"  # the decision "another person: open a new case"
SAME_PERSON = "person-"  # the decision "a new case on this young person", before their id


# From this score on, a candidate's names and birth date are « très proches » (a letter or a swap apart).
VERY_CLOSE = 0.95


@dataclasses.dataclass(frozen=True)
class Candidate:
    person: Person
    case: Case  # the person's open case, else their latest
    score: float
    certain: bool

    @property
    def likeness(self) -> str:
        """How alike, in words for the person who decides: never a raw score (« 1,00 » says nothing)."""
        if self.certain:
            return "mêmes nom, prénom et date de naissance"
        return f"nom, prénom et date de naissance {'très proches' if self.score >= VERY_CLOSE else 'proches'}"


def find_candidates(departement, *, last_name: str, first_name: str,
                    birth_date: datetime.date | None) -> list[Candidate]:
    """The young people of ``departement`` who may be this one, best first (see the module)."""
    if birth_date is None:
        return []
    people = _pool(Q(departement_id=_pk(departement)), last_name, birth_date)
    scored = [(person, match) for person in people if (match := compare(last_name, first_name, birth_date, person))]
    shown: dict[int, Case] = {}  # each person's open case, else their latest, from one query
    for case in sorted(Case.objects.filter(person__in=[person for person, _ in scored]),
                       key=lambda case: (case.state == State.CLOSED, -case.received_on.toordinal(), -case.number)):
        shown.setdefault(case.person_id, case)
    found = [Candidate(person, shown[person.pk], *match) for person, match in scored if person.pk in shown]
    return sorted(found, key=lambda c: (-c.certain, -c.score, -c.case.received_on.toordinal()))[:MOST]


@dataclasses.dataclass(frozen=True)
class FamilyCandidate:
    family: Family
    young_people: list[Person]
    why: str


def find_families(departement, *, last_name: str, address: str, relatives: list[dict]) -> list[FamilyCandidate]:
    """The families of ``departement`` a new young person may belong to (see the module), at most ``MOST``."""
    why: dict[int, str] = {}
    same_name = Person.objects.filter(departement_id=_pk(departement), phonetic_last=phonetic(last_name))
    for person in same_name.only("family_id", "last_name", "address") if words(address) else ():
        if name_key(person.last_name) == name_key(last_name) and words(person.address) == words(address):
            why.setdefault(person.family_id, "même nom, même adresse")
    typed = [Relative(**values) for values in relatives if values.get("last_name") and values.get("first_name")]
    for relative in typed:
        known = Relative.objects.filter(family__departement_id=_pk(departement),
                                        phonetic_last=phonetic(relative.last_name))
        for member in known:
            if member.same_as(relative):
                why[member.family_id] = f"même proche : {member}"
    families = Family.objects.filter(pk__in=list(why)[:MOST]).prefetch_related("young_people").order_by("pk")
    return [FamilyCandidate(family, list(family.young_people.all()), why[family.pk]) for family in families]


@dataclasses.dataclass(frozen=True)
class Elsewhere:
    departement: Departement
    coordinators: list[Membership]  # active, with their user: whom its cellule answers through


def elsewhere(departement, *, last_name: str, first_name: str, birth_date: datetime.date | None) -> list[Elsewhere]:
    """The départements other than ``departement`` with a young person who may be this one, by code."""
    if birth_date is None:
        return []
    people = _pool(~Q(departement_id=_pk(departement)), last_name, birth_date)
    found = {person.departement_id for person in people.only("departement_id", "last_name", "first_name", "birth_date")
             if compare(last_name, first_name, birth_date, person)}
    if not found:
        return []
    coordinators = (Membership.objects.active().filter(role=Role.COORDINATOR, cell__departement_id__in=found,
                                                       user__is_active=True)
                    .select_related("user", "cell").order_by("user__last_name", "user__first_name"))
    by_departement: dict[int, list[Membership]] = {pk: [] for pk in found}
    for membership in coordinators:
        by_departement[membership.cell.departement_id].append(membership)
    return [Elsewhere(other, by_departement[other.pk]) for other in Departement.objects.filter(pk__in=found)]


def certain_duplicates(departement, *, most: int) -> list[list[Person]]:
    """The groups of records of ``departement`` that are certainly one young person each (``certain``),
    at most ``most`` records read. Such records share their phonetic keys and birth date: one query
    finds those that share them with another (the index of ``Person.phonetic_last`` answers each
    lookup), then the groups are told apart in Python, from the few records found."""
    people = Person.objects.filter(departement_id=_pk(departement), merged_into__isnull=True)
    twin = people.filter(phonetic_last=OuterRef("phonetic_last"), birth_date=OuterRef("birth_date"),
                         phonetic_first=OuterRef("phonetic_first")).exclude(pk=OuterRef("pk"))
    found = people.filter(Exists(twin)).order_by("phonetic_last", "birth_date", "phonetic_first", "pk")[:most]
    groups = [list(group) for _, group in itertools.groupby(
        sorted(found, key=lambda person: (identity_of(person), person.pk)), key=identity_of)]
    return [group for group in groups if len(group) > 1]


def identity_of(person: Person) -> tuple[str, str, datetime.date | None]:
    """A record's ``identity``."""
    return identity(person.last_name, person.first_name, person.birth_date)


def _pk(departement) -> int:
    return departement if isinstance(departement, int) else departement.pk


def _pool(where: Q, last_name: str, birth_date: datetime.date | None):
    """The people worth scoring, from the indexes: born on the date or its swap, or a surname with
    the same phonetic key and a birth date at most one part off (the same year, or day and month)."""
    if birth_date is None:
        return Person.objects.none()
    dates = [d for d in (birth_date, swapped(birth_date)) if d]
    key = phonetic(last_name)
    close = Q(birth_date__year=birth_date.year) | Q(birth_date__month=birth_date.month, birth_date__day=birth_date.day)
    same_sound = Q(phonetic_last=key) & close if key else Q(pk__in=[])
    return Person.objects.filter(where, merged_into__isnull=True).filter(Q(birth_date__in=dates) | same_sound)


def compare(last_name: str, first_name: str, birth_date: datetime.date, person) -> tuple[float, bool] | None:
    """The score and certainty of ``person`` (anything with ``last_name``, ``first_name`` and
    ``birth_date``) for the names and birth date given; None if not a candidate. Only people of the
    pool can be candidates (``bench/matching.py`` evaluates it without a database)."""
    if identity(last_name, first_name, birth_date) == identity_of(person):
        return 1.0, True
    names = name_score(last_name, first_name, person.last_name, person.first_name)
    dates = date_score(birth_date, person.birth_date)
    if dates >= 0.95 and names >= NAME_THRESHOLD:
        return round(names * dates, 3), False
    if dates > 0 and names >= CLOSE_NAME_THRESHOLD and phonetic(last_name) == phonetic(person.last_name):
        return round(names * dates, 3), False
    return None


def identity(last_name: str, first_name: str, birth_date: datetime.date | None
             ) -> tuple[str, str, datetime.date | None]:
    """What a certain match shares: the names normalised (``cases.names.name_key``) and the birth date."""
    return name_key(last_name), name_key(first_name), birth_date


def date_score(given: datetime.date, known: datetime.date) -> float:
    """1 for the same date, 0.95 for its day/month swap, 0.8 for one part of it off, else 0."""
    if given == known:
        return 1.0
    if swapped(given) == known:
        return 0.95
    same = (given.day == known.day) + (given.month == known.month) + (given.year == known.year)
    return 0.8 if same == 2 else 0.0


def name_score(last_a: str, first_a: str, last_b: str, first_b: str) -> float:
    """How alike two people's names are (0 to 1): the surnames and the first names, the weaker of both
    counting more, in the order or with first and last names swapped."""
    def pair(x: float, y: float) -> float:
        return 0.6 * min(x, y) + 0.4 * max(x, y)

    straight = pair(part_score(last_a, last_b), part_score(first_a, first_b))
    crossed = pair(part_score(last_a, first_b), part_score(first_a, last_b))
    return max(straight, crossed * 0.98)


def part_score(a: str, b: str) -> float:
    """How alike two names (two surnames, or two first names) are, 0 to 1."""
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    score = JaroWinkler.normalized_similarity(key_a, key_b)
    words_a, words_b = core_words(a), core_words(b)
    if words_a and words_b and (words_a <= words_b or words_b <= words_a):
        score = max(score, 0.95)  # one part of a compound name: "Ndiaye" for "N'Diaye-Lefèvre"
    if phonetic(a) == phonetic(b):
        score = max(score, 0.93)
    return score
