"""Print a proof of the Merkle tree as JSON, which ``python audit/proofs.py`` checks offline.

``--event ID``: the inclusion proof of a sealed event (its columns included, from which the verifier
re-computes its digest) in the tree of ``--size`` events (by default the whole tree: give the size
of the checkpoint it is checked against). ``--old N --new M``: the consistency proof between the
trees of N and M events (two checkpoints' sizes).
"""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import chain, sealer, tree
from audit.models import Seal


class Command(BaseCommand):
    help = "Affiche en JSON une preuve d'inclusion (--event) ou de cohérence (--old et --new) de l'arbre de Merkle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", type=int, metavar="ID", help="Identifiant de l'événement à prouver.")
        parser.add_argument("--size", type=int, metavar="N",
                            help="Taille de l'arbre (celle du point de contrôle) ; par défaut l'arbre entier.")
        parser.add_argument("--old", type=int, metavar="N", help="Taille de l'ancien arbre.")
        parser.add_argument("--new", type=int, metavar="N", help="Taille du nouvel arbre.")

    def handle(self, *args: Any, event: int | None = None, size: int | None = None, old: int | None = None,
               new: int | None = None, **options: Any) -> None:
        sealer.seal()
        stored = tree.size()
        if event is not None and old is None and new is None:
            proof = self.inclusion(event, stored if size is None else size, stored)
        elif event is None and size is None and old is not None and new is not None:
            if not 0 <= old <= new <= stored:
                raise CommandError(f"Tailles attendues entre 0 et {stored}, l'ancienne au plus égale à la nouvelle.")
            proof = {"type": "consistency", "old_size": old, "new_size": new,
                     "proof": [value.hex() for value in tree.consistency_proof(old, new)]}
        else:
            raise CommandError("Donnez --event (et --size au besoin), ou --old et --new.")
        self.stdout.write(json.dumps(proof, ensure_ascii=False, indent=1))

    def inclusion(self, event_id: int, size: int, stored: int) -> dict:
        row = next(iter(chain.rows(Seal.objects.filter(event_id=event_id))), None)
        if row is None:
            raise CommandError(f"Aucun événement scellé d'identifiant {event_id}.")
        if not row["seq"] <= size <= stored:
            raise CommandError(f"L'événement #{event_id} est au rang {row['seq']} : taille attendue entre "
                               f"{row['seq']} et {stored}.")
        columns = {name: row[name] for name in chain.FIELDS}
        columns["time"] = row["time"].astimezone(datetime.UTC).isoformat(timespec="microseconds")
        return {"type": "inclusion", "index": row["seq"] - 1, "size": size, "digest": chain.digest(row),
                "event": {"id": event_id, **columns},
                "proof": [value.hex() for value in tree.inclusion_proof(row["seq"] - 1, size)]}
