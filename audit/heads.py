"""Signed chain heads: checkpoints kept outside the database, and the heads of export bundles."""

import json
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from audit import chain, signing
from audit.models import Event


def current_head() -> dict:
    """The last event of the chain: its id, rank and hash, and when the head was read."""
    last = Event.objects.order_by("-seq").values("id", "seq", "hash").first() or {
        "id": None, "seq": 0, "hash": chain.GENESIS}
    return {"last_id": last["id"], "seq": last["seq"], "hash": last["hash"], "count": last["seq"],
            "time": timezone.now().isoformat(timespec="seconds")}


def take_checkpoint(output: str | None = None) -> dict:
    """Sign the current head and keep it where the settings say: a file (one JSON line per
    checkpoint) and/or e-mail addresses. Returns the signed checkpoint."""
    signed = signing.sign({"type": "checkpoint", **current_head()})
    line = json.dumps(signed, sort_keys=True, ensure_ascii=False)
    target = output or settings.AUDIT_CHECKPOINT_FILE
    if target:
        with Path(target).open("a", encoding="utf-8") as file:
            file.write(line + "\n")
    if settings.AUDIT_CHECKPOINT_EMAILS and output is None:
        head = signed["payload"]
        send_mail(f"[Cellule de suivi] Point de contrôle du journal d'audit — rang {head['seq']}",
                  "Conservez ce point de contrôle signé hors de la base de données :\n\n" + line + "\n",
                  None, settings.AUDIT_CHECKPOINT_EMAILS)
    return signed


def read_checkpoint(path: str) -> dict:
    """The last checkpoint of a file written by ``take_checkpoint`` (or a single JSON document)."""
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        raise ValueError("fichier de point de contrôle vide")
    return json.loads(lines[-1])
