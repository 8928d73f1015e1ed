"""Precision and recall of the duplicate detection (``cases.matching``) on generated French names.

Run by hand (the test suite runs a small version of the same evaluation,
``tests/cases/test_matching.py``, and the script itself with ``--tiny`` so that it keeps working):

    .venv/bin/python bench/matching.py [--people 5000] [--seed 1]

A register of distinct young people is drawn from French surnames and first names (compound names,
particles, apostrophes, accents), with the hard negatives a cellule meets: siblings (same surname
and parents, another first name and birth date), twins (same surname and birth date, another first
name), homonyms (same names, another birth date) and near names (one letter apart, another birth
date). Then signalements arrive: re-signalements of registered people as another source would type
them (typos, missing accents, capitals, first and last names swapped, one part of a compound name
only, particles glued or moved, apostrophes dropped, day and month swapped: one to three of these
at a time), and new people, near the registered ones but not them. Each is compared to the register
as ``find_candidates`` does (the same pool, by birth date or phonetic key, then ``compare``).

Recall: the re-signalements whose person is among the candidates. Precision: the candidates that are
the person. The same for ``certain`` alone. One JSON line per figure; the baseline is an exact match
on names folded (accents and case) and the birth date, measured on the same set.

``--database`` measures on the database instead (filled by ``manage.py seed_national``): the time of
``find_candidates`` and ``elsewhere`` for people of the file, of a coordinator's name search,
and prints the search's plan (EXPLAIN ANALYZE on PostgreSQL).
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from cases.matching import compare  # noqa: E402
from cases.names import fold, phonetic, swapped  # noqa: E402

LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefèvre", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard",
    "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer",
    "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet",
    "Schmitt", "Leroux", "Colin", "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert",
    "N'Diaye", "Diallo", "Traoré", "Diop", "Koné", "Camara", "Cissé", "Benali", "Ben Ali", "Haddad", "Belkacem",
    "Bouzid", "Mansouri", "Benmoussa", "El Amrani", "Ait Ahmed", "Le Gall", "Le Goff", "Le Roux", "Le Bihan",
    "Le Floch", "de la Fontaine", "de Lattre", "d'Almeida", "D'Souza", "Da Silva", "Dos Santos", "Van der Berg",
    "N'Guessan", "M'Bappé", "Ould Ahmed", "Saint-Martin", "Dupont-Aignan", "N'Diaye-Lefèvre", "Martin-Garcia",
    "Lévy", "Cohen", "Bensaïd", "Œuvrard", "Kowalski", "Yilmaz", "Öztürk", "Ferreira", "Rodrigues", "Pereira",
]
FIRST_NAMES = [
    "Lucas", "Louis", "Léo", "Léa", "Gabriel", "Raphaël", "Arthur", "Jules", "Adam", "Hugo", "Nathan", "Enzo",
    "Mohamed", "Mohammed", "Yanis", "Rayan", "Ilyes", "Sofiane", "Théo", "Noé", "Sacha", "Ethan", "Mathis", "Tom",
    "Jean-Baptiste", "Jean-Pierre", "Marie-Claire", "Anne-Sophie", "Éloïse", "Emma", "Jade", "Louise", "Alice",
    "Chloé", "Inès", "Lina", "Mila", "Rose", "Anna", "Ambre", "Julia", "Zoé", "Manon", "Camille", "Sarah",
    "Yasmine", "Maëlys", "Aya", "Fatoumata", "Aminata", "Mamadou", "Moussa", "Ibrahima", "Awa", "Kenza", "Lilou",
    "Nour", "Amine", "Bilal", "Karim", "Mehdi", "Samy", "Noah", "Liam", "Timéo", "Maël", "Nolan", "Clément",
    "Margaux", "Océane", "Clémence", "Anaïs", "Mélissa", "Héloïse", "Joël", "Joëlle", "Noëlle", "François",
    "Françoise", "Céline", "Cécile", "Stéphane", "Aurélien", "Benoît", "Grégoire", "Jérémy", "Kévin", "Loïc",
]
NEIGHBOURS = "azertyuiopqsdfghjklmwxcvbn"  # a typo's replacement: the next key of a French keyboard row


def person(last: str, first: str, born: datetime.date, pid: int) -> SimpleNamespace:
    return SimpleNamespace(last_name=last, first_name=first, birth_date=born, pid=pid)


def born(rng: random.Random) -> datetime.date:
    return datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randint(0, 9 * 365))


def typo(rng: random.Random, name: str) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 4:
        return name
    i = rng.choice(letters[1:-1])
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap" and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if kind == "drop":
        return name[:i] + name[i + 1:]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    low = name[i].lower()
    near = NEIGHBOURS[(NEIGHBOURS.index(low) + 1) % len(NEIGHBOURS)] if low in NEIGHBOURS else low
    return name[:i] + near + name[i + 1:]


def particles(rng: random.Random, name: str) -> str:
    """The same surname as another source writes it: glued, its apostrophe dropped, its particle moved."""
    words = name.replace("-", " ").replace("'", "' ").split()
    if len(words) < 2:
        return name
    return rng.choice([name.replace(" ", "").replace("'", ""), name.replace("'", " "), name.replace("'", ""),
                       f"{' '.join(words[1:])} ({words[0].strip()})", name.upper()])


def variant(rng: random.Random, who: SimpleNamespace) -> SimpleNamespace:
    """A re-signalement of ``who`` as another source would type it: one to three changes."""
    last, first, date = who.last_name, who.first_name, who.birth_date
    changes = ["typo_last", "typo_first", "accents", "upper", "swap_names", "compound", "particles", "day_month"]
    for change in rng.sample(changes, rng.randint(1, 3)):
        if change == "typo_last":
            last = typo(rng, last)
        elif change == "typo_first":
            first = typo(rng, first)
        elif change == "accents":
            last, first = fold(last).title(), fold(first).title()
        elif change == "upper":
            last = last.upper()
        elif change == "swap_names":
            last, first = first, last
        elif change == "compound":
            parts = last.replace("-", " ").split()
            last = rng.choice(parts) if len(parts) > 1 and "'" not in last else f"{last}-{rng.choice(LAST_NAMES)}"
        elif change == "particles":
            last = particles(rng, last)
        elif change == "day_month" and swapped(date):
            date = swapped(date)
    return person(last, first, date, who.pid)


def near(rng: random.Random, who: SimpleNamespace, pid: int) -> SimpleNamespace:
    """Another young person close to ``who``: a sibling, a twin, a homonym, or a name one letter apart."""
    kind = rng.choice(["sibling", "twin", "homonym", "near_name"])
    other_first = rng.choice([f for f in FIRST_NAMES if fold(f) != fold(who.first_name)])
    if kind == "sibling":
        return person(who.last_name, other_first, born(rng), pid)
    if kind == "twin":
        return person(who.last_name, other_first, who.birth_date, pid)
    if kind == "homonym":
        return person(who.last_name, who.first_name, born(rng), pid)
    return person(typo(rng, who.last_name), who.first_name, born(rng), pid)


def data_set(people: int, seed: int) -> tuple[list, list]:
    """The register, and the signalements that arrive: (query, the pid of the person it is, or None)."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible data set, no secret
    register = [person(rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES), born(rng), pid) for pid in range(people)]
    register += [near(rng, rng.choice(register), people + i) for i in range(people // 4)]
    arriving = [(variant(rng, who), who.pid) for who in rng.sample(register, people // 2)]
    arriving += [(near(rng, rng.choice(register), -1), None) for _ in range(people // 2)]
    return register, arriving


def evaluate(register: list, arriving: list, matcher=compare) -> dict:
    """Recall and precision of the candidates and of ``certain``, through find_candidates' pool."""
    by_date, by_sound = defaultdict(list), defaultdict(list)
    for who in register:
        by_date[who.birth_date].append(who)
        by_sound[phonetic(who.last_name)].append(who)
    found = true_found = certain = true_certain = positives = 0
    for query, pid in arriving:
        pool = {id(w): w for d in {query.birth_date, swapped(query.birth_date)} - {None} for w in by_date[d]}
        pool.update((id(w), w) for w in by_sound[phonetic(query.last_name)])
        positives += pid is not None
        for who in pool.values():
            match = matcher(query.last_name, query.first_name, query.birth_date, who)
            if match is None:
                continue
            found += 1
            true_found += who.pid == pid
            certain += match[1]
            true_certain += match[1] and who.pid == pid
    return {"recall": true_found / positives, "precision": true_found / found if found else 1.0,
            "certain_precision": true_certain / certain if certain else 1.0,
            "certain_share": true_certain / positives, "candidates": found, "positives": positives}


def exact(last_name, first_name, birth_date, who):
    """The baseline: the same names once folded, the same birth date."""
    same = (fold(who.last_name) == fold(last_name) and fold(who.first_name) == fold(first_name)
            and who.birth_date == birth_date)
    return (1.0, True) if same else None


def on_database(samples: int) -> None:
    """Times on the database's own people (``seed_national``), and the plan of a name search."""
    from django.db import connection

    from cases import matching
    from cases.models import Case, Person
    from organisation.models import Membership, Role

    size = {"cases": Case.objects.count()}
    people = list(Person.objects.select_related("departement").order_by("?")[:samples])
    for name, call in (("find_candidates", matching.find_candidates), ("elsewhere", matching.elsewhere)):
        start = time.perf_counter()
        for who in people:
            call(who.departement, last_name=who.last_name, first_name=who.first_name, birth_date=who.birth_date)
        print(json.dumps({"name": name, "value": round((time.perf_counter() - start) / len(people) * 1000, 2),
                          "unit": "ms", **size}), flush=True)
    coordinator = Membership.objects.filter(role=Role.COORDINATOR, cell__departement=people[0].departement)[0].user
    query = Case.objects.visible_to(coordinator).search(f"{people[0].last_name} {people[0].first_name[:3]}",
                                                         user=coordinator)
    start = time.perf_counter()
    hits = len(list(query.order_by("-received_on", "-number")[:25]))
    print(json.dumps({"name": "name_search", "value": round((time.perf_counter() - start) * 1000, 2), "unit": "ms",
                      "hits": hits, **size}), flush=True)
    if connection.vendor == "postgresql":
        sql, params = query.order_by("-received_on", "-number")[:25].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
            print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", type=int, metavar="SAMPLES", help="measure on the database, SAMPLES people")
    parser.add_argument("--tiny", action="store_true", help="200 people: that the script works, not what it measures")
    args = parser.parse_args()
    if args.tiny:
        args.people = 200
    if args.database:
        on_database(args.database)
        return
    register, arriving = data_set(args.people, args.seed)
    size = {"register": len(register), "signalements": len(arriving)}
    for name, matcher in (("baseline_exact", exact), ("cases.matching", compare)):
        start = time.perf_counter()
        figures = evaluate(register, arriving, matcher)
        elapsed = time.perf_counter() - start
        for measure in ("recall", "precision", "certain_precision", "certain_share"):
            print(json.dumps({"name": f"{name}.{measure}", "value": round(figures[measure], 4), "unit": "ratio",
                              **size}), flush=True)
        print(json.dumps({"name": f"{name}.per_signalement", "value": round(elapsed / len(arriving) * 1000, 3),
                          "unit": "ms", **size}), flush=True)


if __name__ == "__main__":
    main()
