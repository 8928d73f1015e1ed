"""Benchmark of the Merkle tree's proofs at national size, against reading the chain, in one run.

Run by hand, never by the test suite, on a throwaway database that ``migrate`` has made (the node
table must be empty): it fills ``audit_treenode`` directly with the nodes of ``--leaves`` made-up
leaves (as the sealer would have stored them, without the events), then measures, from the stored
nodes only, what ``audit_proof`` and ``verify_audit`` ask of the tree:

    createdb -h 127.0.0.1 -U postgres merkle_bench
    DEMO=1 DATABASE_URL=postgresql://postgres@127.0.0.1:5432/merkle_bench .venv/bin/python manage.py migrate
    DEMO=1 DATABASE_URL=postgresql://postgres@127.0.0.1:5432/merkle_bench .venv/bin/python bench/merkle_proofs.py

Prints one JSON line per figure (name, value, unit, leaves): the median time of an inclusion proof
and of a consistency proof between two random sizes (targets of issue 30: under 10 ms and 100 ms at
1,000,000 events), a root, and as baseline what a linear chain needs for the same consistency
check: reading every leaf between the two sizes. Then the ratio of the baseline to the proof.
"""

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402 (after the path and settings above)

django.setup()

from audit import proofs, tree  # noqa: E402
from audit.models import TreeNode  # noqa: E402

BATCH = 20_000


def fill(leaves: int) -> float:
    """Store the nodes of ``leaves`` made-up leaves; how long it took (s)."""
    started, stored, count = time.perf_counter(), {}, 0
    while count < leaves:
        data = [hashlib.sha256(str(n).encode()).digest() for n in range(count, min(count + BATCH, leaves))]
        nodes = tree.grow(count, data, stored)
        TreeNode.objects.bulk_create([TreeNode(level=level, index=index, hash=value) for level, index, value in nodes])
        count += len(data)
        # Only the right edge is needed to go on: the rest of the batch is in the database.
        stored = {place: stored[place] for place in proofs.subtrees(0, count)}
    return time.perf_counter() - started


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000, help="taille de l'arbre mesuré")
    parser.add_argument("--repeat", type=int, default=200, help="mesures par preuve (on garde la médiane)")
    args = parser.parse_args()
    if TreeNode.objects.exists():
        sys.exit("La table audit_treenode n'est pas vide : lancez ce banc sur une base jetable, migrée.")
    n = args.leaves
    figures = [("remplissage de l'arbre", fill(n), "s")]
    rng = random.Random(30)  # noqa: S311 (positions to measure, not secrets)
    figures.append(("racine", median_ms(lambda: tree.root(n), args.repeat), "ms"))
    figures.append(("preuve d'inclusion", median_ms(lambda: tree.inclusion_proof(rng.randrange(n), n), args.repeat),
                    "ms"))
    figures.append(("preuve de cohérence", median_ms(lambda: tree.consistency_proof(rng.randrange(1, n), n),
                                                     args.repeat), "ms"))
    linear = median_ms(lambda: list(TreeNode.objects.filter(level=0, index__gte=n // 2)
                                    .values_list("hash", flat=True).iterator(chunk_size=10_000)), 3)
    figures.append(("référence : lecture linéaire de la moitié des feuilles", linear, "ms"))
    for name, value, unit in figures:
        print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "leaves": n}, ensure_ascii=False))
    ratio = round(linear / figures[3][1], 1)
    print(json.dumps({"name": "rapport lecture linéaire / preuve de cohérence", "value": ratio, "unit": "×",
                      "leaves": n}, ensure_ascii=False))


if __name__ == "__main__":
    main()
