"""The Merkle tree over the sealed events, stored as it grows: one ``TreeNode`` per complete subtree.

The leaf of the event of rank n is its *digest* (``SHA-256`` of its canonical text, ``audit.chain``),
not its chain hash: an inclusion proof then shows one event from its own columns and nothing of the
others (the chain hash would need the previous hash, which comes from the events before), which is
what a person's access receipts need. The order is still the chain's (leaf n is rank n), and the
chain stays: every tamper case of the chain is still found by it, and the tree adds proofs.

The sealer (``audit.sealer``) extends the tree after each seal, in the same transaction: in Python
here on SQLite, by the database's function ``audit_tree_extend()`` on PostgreSQL. Each new leaf
completes the subtrees that end with it: ``index`` odd at a level means its left sibling is stored,
and their parent is added. The tree follows the seals rank by rank and waits at a missing rank
(an event deleted around its seal): ``verify_audit`` names it. Any root, inclusion or consistency
proof needs only the O(log n) complete subtrees that ``audit.proofs`` names, read in one query.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Max, Q

from audit import chain, proofs
from audit.models import Seal, TreeNode

BATCH = 5000
LEAF_ABSENT = "absente (nœud supprimé)"
LEAF_CHANGED = "ne correspond plus à l'événement (empreinte modifiée)"


def size(using: str = DEFAULT_DB_ALIAS, model: Any = TreeNode) -> int:
    """How many leaves the stored tree has."""
    last = model.objects.using(using).filter(level=0).aggregate(last=Max("index"))["last"]
    return 0 if last is None else last + 1


def grow(start: int, leaves: Iterable[bytes], stored: dict[tuple[int, int], bytes]) -> list[tuple[int, int, bytes]]:
    """The nodes made by appending ``leaves`` (their data) after ``start`` leaves: ``stored`` holds
    the left siblings they need (the tree's right edge), and gets the new nodes."""
    made = []
    for position, data in enumerate(leaves, start=start):
        index, level, node = position, 0, proofs.leaf_hash(data)
        stored[(0, index)] = node
        made.append((0, index, node))
        while index & 1:
            node = proofs.node_hash(stored[(level, index - 1)], node)
            index, level = index >> 1, level + 1
            stored[(level, index)] = node
            made.append((level, index, node))
    return made


def right_edge(count: int, using: str = DEFAULT_DB_ALIAS, model: Any = TreeNode) -> dict[tuple[int, int], bytes]:
    """The complete subtrees of the first ``count`` leaves that a later leaf may pair with."""
    return fetch([(level, index) for level, index in proofs.subtrees(0, count)], using, model)


def fetch(places: Sequence[tuple[int, int]], using: str = DEFAULT_DB_ALIAS,
          model: Any = TreeNode) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the given places, in one query."""
    if not places:
        return {}
    wanted = Q()
    for level, index in set(places):
        wanted |= Q(level=level, index=index)
    rows = model.objects.using(using).filter(wanted).values_list("level", "index", "hash")
    return {(level, index): bytes(value) for level, index, value in rows}


def extend(using: str = DEFAULT_DB_ALIAS, seal_model: Any = Seal, node_model: Any = TreeNode) -> int:
    """Add the leaves of the seals the tree does not hold yet, in rank order, up to a missing rank;
    how many. Also run by the data migration, with its historical models."""
    count = start = size(using, node_model)
    stored = right_edge(count, using, node_model)
    while True:
        rows = list(chain.rows(seal_model.objects.using(using).filter(seq__gt=count, seq__lte=count + BATCH)))
        leaves: list[bytes] = []
        for row in rows:
            if row["seq"] != count + len(leaves) + 1:
                break  # a seal without its event, or a missing rank: the tree waits there
            leaves.append(bytes.fromhex(chain.digest(row)))
        nodes = grow(count, leaves, stored)
        node_model.objects.using(using).bulk_create(
            [node_model(level=level, index=index, hash=value) for level, index, value in nodes])
        count += len(leaves)
        if len(leaves) < BATCH:
            return count - start


def root(tree_size: int, using: str = DEFAULT_DB_ALIAS) -> bytes:
    nodes = fetch(proofs.subtrees(0, tree_size), using)
    return proofs.range_hash(0, tree_size, lambda level, index: nodes[(level, index)])


def hashes(ranges: list[tuple[int, int]], using: str = DEFAULT_DB_ALIAS) -> list[bytes]:
    """The hashes of the given ranges of leaves (each made of complete subtrees), in one query."""
    places = [place for start, end in ranges for place in proofs.subtrees(start, end)]
    nodes = fetch(places, using)
    return [proofs.range_hash(start, end, lambda level, index: nodes[(level, index)]) for start, end in ranges]


def inclusion_proof(index: int, tree_size: int, using: str = DEFAULT_DB_ALIAS) -> list[bytes]:
    return hashes(proofs.inclusion_ranges(index, tree_size), using)


def consistency_proof(old: int, new: int, using: str = DEFAULT_DB_ALIAS) -> list[bytes]:
    return hashes(proofs.consistency_ranges(old, new), using)


@dataclass
class Mismatch:
    """The first stored node that does not hold, and why."""

    level: int
    index: int
    reason: str

    def __str__(self) -> str:
        if self.level == 0:
            return f"feuille de rang {self.index + 1} de l'arbre de Merkle : {self.reason}"
        first, last = self.index << self.level, ((self.index + 1) << self.level)
        return f"nœud de l'arbre de Merkle (rangs {first + 1} à {last}) : {self.reason}"


def check(sealed: int, using: str = DEFAULT_DB_ALIAS, start: int = 0) -> Mismatch | None:
    """Every stored node against what it covers: each leaf from ``start`` on (before it, the events
    are archived: ``audit.archives``) against its event's digest re-computed from the columns, each
    parent against its two children; and the tree's size against the ``sealed`` ranks. The first
    problem, by level then place."""
    return check_leaves(sealed, using, start) or check_parents(sealed, using)


def check_leaves(sealed: int, using: str = DEFAULT_DB_ALIAS, start: int = 0) -> Mismatch | None:
    leaves = _level(0, using, start)
    events = chain.rows(Seal.objects.using(using).filter(seq__gt=start))
    expected = start
    for (index, value), row in zip(leaves, events, strict=False):
        if index != expected or row["seq"] != index + 1:
            return Mismatch(0, expected, LEAF_ABSENT)
        if value != proofs.leaf_hash(bytes.fromhex(chain.digest(row))):
            return Mismatch(0, index, LEAF_CHANGED)
        expected += 1
    return None if expected == sealed else stopped(expected, sealed)


def stopped(leaves: int, sealed: int) -> Mismatch:
    return Mismatch(0, leaves, f"absente : l'arbre s'arrête à {leaves} feuilles pour {sealed} événements scellés")


def check_parents(sealed: int, using: str = DEFAULT_DB_ALIAS,
                  levels: Callable[[list[int]], set[int]] | None = None) -> Mismatch | None:
    """Each parent against its two children, level by level, each level streamed beside the one below
    (never held in memory): the first that is absent or does not hold. ``levels``, when given, names
    among the levels those that may not hold (the database's own check, ``audit.verification``):
    only those are read here, to name the node."""
    counts = {}
    level, count = 1, sealed // 2
    while count:
        counts[level], level, count = count, level + 1, count // 2
    suspect = set(counts) if levels is None else levels(list(counts))
    for level in sorted(suspect):
        mismatch = _check_level(level, counts[level], using)
        if mismatch is not None:
            return mismatch
    return None


def _check_level(level: int, count: int, using: str) -> Mismatch | None:
    """The ``count`` first nodes of ``level`` against the level below (checked before it)."""
    parents, children = _level(level, using), _level(level - 1, using)
    parent = next(parents, None)
    for index in range(count):
        (left_index, left), (right_index, right) = next(children, (-1, b"")), next(children, (-1, b""))
        if (left_index, right_index) != (2 * index, 2 * index + 1):  # only below the archived boundary
            return Mismatch(level - 1, 2 * index + (left_index == 2 * index), "absent (nœud supprimé)")
        while parent is not None and parent[0] < index:
            parent = next(parents, None)
        if parent is None or parent[0] != index:
            return Mismatch(level, index, "absent (nœud supprimé)")
        if parent[1] != proofs.node_hash(left, right):
            return Mismatch(level, index, "ne correspond plus à ses deux enfants (empreinte modifiée)")
    return None


def _level(level: int, using: str, start: int = 0) -> Iterator[tuple[int, bytes]]:
    nodes = (TreeNode.objects.using(using).filter(level=level, index__gte=start).order_by("index")
             .values_list("index", "hash"))
    return ((index, bytes(value)) for index, value in nodes.iterator(chunk_size=BATCH))
