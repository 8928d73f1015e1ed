"""Merkle proofs and signed checkpoints of the audit trail, checkable by anyone, without Django.

This file is shipped as is to inspectors and witnesses: standard library and ``cryptography`` only.
Run ``python audit/proofs.py --help`` (docs/verificateur.md tells an inspector how).

- The tree is RFC 9162's (§2.1): ``leaf = SHA-256(0x00 || data)``, ``node = SHA-256(0x01 || left ||
  right)``, the root of n leaves split at the largest power of two below n. The data of the trail's
  leaf n is the digest of the n-th sealed event (``digest``, 32 bytes; ``audit.tree`` says why).
- Proofs: inclusion and consistency, verified by the algorithms of §2.1.3.2 and §2.1.4.2; the
  ranges whose hashes make a proof (``inclusion_ranges``, ``consistency_ranges``) are computed here
  too, so that the database side only looks up complete subtrees (``subtrees``).
- Checkpoints: C2SP signed notes (https://c2sp.org/signed-note) holding a tlog-checkpoint
  (https://c2sp.org/tlog-checkpoint): ``origin\\nsize\\nbase64(root)\\n`` and extension lines, a
  blank line, then ``— name base64(key id || signature)`` lines. Ed25519 signatures (type 0x01) and
  witnesses' cosignatures (type 0x04, https://c2sp.org/tlog-cosignature) are checked against
  verifier keys ``name+hexkeyid+base64(type || public key)``. Notes are parsed strictly: anything
  malformed is refused with the reason.
"""

import argparse
import base64
import binascii
import datetime
import decimal
import hashlib
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
ED25519, COSIGNATURE = 0x01, 0x04
MAX_SIGNATURES = 100


class ProofError(ValueError):
    """A proof, a note or a key that does not hold; the message, in French, says what."""


# The canonical text of an event (the leaf's data is its SHA-256): the columns as the database gives
# them back, the details as PostgreSQL writes a jsonb (audit.chain computes the same text in SQL).
EVENT_FIELDS = ("time", "actor_id", "actor_label", "actor_role", "actor_cell", "ip", "request_id",
                "action", "object_type", "object_id", "departement", "details")


def canonical(values: Mapping[str, Any]) -> str:
    """The canonical text of an event read back from the database (or from an export)."""
    time = values["time"]
    if isinstance(time, datetime.datetime):
        time = time.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    parts = [_string(time), "null" if values["actor_id"] is None else str(values["actor_id"])]
    parts += [_string(values[name]) for name in EVENT_FIELDS[2:5]]
    parts.append("null" if values["ip"] is None else _string(values["ip"]))
    parts += [_string(values[name]) for name in EVENT_FIELDS[6:11]]
    parts.append(jsonb_text(values["details"]))
    return "[" + ",".join(parts) + "]"


def _string(value: str) -> str:
    # Python and PostgreSQL (to_json, jsonb) escape the same characters the same way.
    return json.dumps(value, ensure_ascii=False)


def jsonb_text(value: object) -> str:
    """A JSON value written as PostgreSQL writes a ``jsonb``."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return "{" + ", ".join(f"{_string(key)}: {jsonb_text(value[key])}" for key in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jsonb_text(item) for item in value) + "]"
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float):  # PostgreSQL's numeric: the shortest decimal, without exponent
        return format(decimal.Decimal(repr(value)), "f")
    return str(value)


def digest(values: Mapping[str, Any]) -> str:
    """The event's digest (hex): SHA-256 of its canonical text, the data of its leaf."""
    return hashlib.sha256(canonical(values).encode()).hexdigest()


# --- The tree (RFC 9162 §2.1) ---

def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly below ``size`` (> 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees ``(level, index)`` that make the range [start, end) of a proof, left to
    right (every range of a proof starts on a multiple of a power of two at least its size)."""
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its complete subtrees, joined from the right."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def range_hash(start: int, end: int, node: Callable[[int, int], bytes]) -> bytes:
    """MTH(D[start:end]) from ``node(level, index)``, the hashes of complete subtrees."""
    return fold([node(level, index) for level, index in subtrees(start, end)]) if end > start else EMPTY_ROOT


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make PATH(index, D[0:size]), from the leaf up."""
    ranges, start, end = [], 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make PROOF(old, D[0:new]) (RFC 9162 §2.1.4.1)."""
    if not 0 < old < new:
        return []
    ranges, start, end, complete = [], 0, new, True
    while old != end:  # SUBPROOF(old - start, D[start:end], complete)
        k = _split(end - start)
        if old <= start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            complete = False
    if not complete:
        ranges.append((start, end))
    return ranges[::-1]


class MemoryTree:
    """A tree held in memory, from its leaves' data: for tests and small trees."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for data in leaves:
            self.append(data)

    def append(self, data: bytes) -> None:
        self.levels[0].append(leaf_hash(data))
        level = 0
        while len(self.levels[level]) % 2 == 0:  # a subtree completed: store its parent
            if len(self.levels) == level + 1:
                self.levels.append([])
            self.levels[level + 1].append(node_hash(*self.levels[level][-2:]))
            level += 1

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return range_hash(0, self.size if size is None else size, self.node)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return [range_hash(a, b, self.node) for a, b in inclusion_ranges(index, size)]

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        return [range_hash(a, b, self.node) for a, b in consistency_ranges(old, new)]


def words(value: int, singular: str, plural_form: str = "") -> str:
    """« 1 événement », « 2 événements »: French writes the plural from 2 on (``ui.french.count``, which
    needs Django, for the messages of this module and of the witness)."""
    return f"{value} {singular if abs(value) < 2 else plural_form or singular + 's'}"


def _check_hashes(*hashes: bytes) -> None:
    if any(len(value) != HASH_SIZE for value in hashes):
        raise ProofError("empreinte de longueur incorrecte (32 octets attendus)")


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: ``leaf`` (a leaf hash) is at ``index`` in the tree of ``size`` leaves."""
    _check_hashes(leaf, root, *proof)
    if not 0 <= index < size:
        raise ProofError(f"l'événement de rang {index + 1} n'est pas dans un arbre de {size} feuilles")
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("preuve d'inclusion trop longue")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("preuve d'inclusion trop courte")
    if result != root:
        raise ProofError("preuve d'inclusion fausse : elle ne mène pas à la racine signée "
                         "(événement modifié, ou preuve altérée)")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2: the tree of ``old`` leaves is a prefix of the tree of ``new`` leaves."""
    _check_hashes(old_root, new_root, *proof)
    if old > new:
        raise ProofError(f"taille {old} supérieure à {new} : le journal aurait rétréci")
    if old == new:
        if proof:
            raise ProofError("preuve de cohérence non vide entre deux arbres de même taille")
        if old_root != new_root:
            raise ProofError(f"deux arbres différents de même taille {old} : fourche (historique réécrit)")
        return
    if old == 0:
        if proof:
            raise ProofError("preuve de cohérence non vide depuis l'arbre vide")
        return
    if not proof:
        raise ProofError("preuve de cohérence vide")
    path = [old_root, *proof] if old & (old - 1) == 0 else list(proof)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = path[0]
    for item in path[1:]:
        if sn == 0:
            raise ProofError("preuve de cohérence trop longue")
        if fn & 1 or fn == sn:
            first, second = node_hash(item, first), node_hash(item, second)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, item)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("preuve de cohérence trop courte")
    if first != old_root:
        raise ProofError(f"incohérence : l'arbre de {old} feuilles n'est plus le début du journal "
                         "(historique réécrit ou fourche)")
    if second != new_root:
        raise ProofError(f"incohérence : la preuve ne mène pas à la racine de l'arbre de {new} feuilles")


# --- Signed notes (C2SP signed-note) and checkpoints (C2SP tlog-checkpoint) ---

def key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    """The 4 bytes naming a key: SHA-256(name || 0x0A || type || public key)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and not any(char.isspace() or char == "+" for char in name)


@dataclass(frozen=True)
class VerifierKey:
    """A verifier key ``name+hexkeyid+base64(type || public key)``."""

    name: str
    key_type: int
    key: Ed25519PublicKey
    id: bytes

    @classmethod
    def parse(cls, text: str) -> "VerifierKey":
        parts = text.strip().split("+", 2)  # the key's base64 may hold "+" too
        if len(parts) != 3 or not _valid_name(parts[0]) or len(parts[1]) != 8:
            raise ProofError(f"clé de vérification mal formée : {text!r} (attendu nom+identifiant+clé)")
        try:
            claimed, raw = bytes.fromhex(parts[1]), base64.b64decode(parts[2], validate=True)
        except (ValueError, binascii.Error):
            raise ProofError(f"clé de vérification mal formée : {text!r}") from None
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE):
            raise ProofError(f"clé de vérification {parts[0]} : type inconnu ou longueur incorrecte")
        if key_id(parts[0], raw[0], raw[1:]) != claimed:
            raise ProofError(f"clé de vérification {parts[0]} : son identifiant ne correspond pas à la clé")
        return cls(parts[0], raw[0], Ed25519PublicKey.from_public_bytes(raw[1:]), claimed)

    @staticmethod
    def text(name: str, public_key: bytes, key_type: int = ED25519) -> str:
        encoded = base64.b64encode(bytes([key_type]) + public_key).decode()
        return f"{name}+{key_id(name, key_type, public_key).hex()}+{encoded}"


@dataclass(frozen=True)
class NoteSignature:
    name: str
    id: bytes
    signature: bytes  # after the key id


@dataclass
class Note:
    text: str
    signatures: list[NoteSignature]


def parse_note(message: str | bytes) -> Note:
    """A signed note, strictly: UTF-8, no control character but newlines, the text ending with a
    newline, a blank line, then at least one signature line ``— name base64``."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise ProofError("note mal formée : pas de l'UTF-8") from None
    if any((ord(char) < 0x20 and char != "\n") or char == "\x7f" for char in message):
        raise ProofError("note mal formée : caractère de contrôle")
    split = message.rfind("\n\n")
    if split < 0 or not message.endswith("\n"):
        raise ProofError("note mal formée : pas de ligne vide avant les signatures, ou pas de fin de ligne")
    text, lines = message[:split + 1], message[split + 2:].splitlines()
    if not lines:
        raise ProofError("note mal formée : aucune signature")
    if len(lines) > MAX_SIGNATURES:
        raise ProofError("note mal formée : plus de 100 signatures")
    signatures = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "—" or not _valid_name(parts[1]):
            raise ProofError(f"note mal formée : ligne de signature illisible {line[:60]!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except (ValueError, binascii.Error):
            raise ProofError(f"note mal formée : signature de {parts[1]} illisible (base64)") from None
        if len(raw) < 5:
            raise ProofError(f"note mal formée : signature de {parts[1]} trop courte")
        signatures.append(NoteSignature(parts[1], raw[:4], raw[4:]))
    return Note(text, signatures)


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """The note ``text`` signed by ``name``'s Ed25519 key (type 0x01)."""
    if not text.endswith("\n") or "\n\n" in text:
        raise ProofError("texte de note mal formé")
    public = private_key.public_key().public_bytes_raw()
    signature = key_id(name, ED25519, public) + private_key.sign(text.encode())
    return f"{text}\n— {name} {base64.b64encode(signature).decode()}\n"


def cosignature_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(note: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """A witness's cosignature (type 0x04) added to a signed checkpoint ``note``."""
    text = parse_note(note).text
    public = private_key.public_key().public_bytes_raw()
    signature = (key_id(name, COSIGNATURE, public) + timestamp.to_bytes(8, "big")
                 + private_key.sign(cosignature_message(text, timestamp)))
    return f"{note}— {name} {base64.b64encode(signature).decode()}\n"


def _verifies(key: VerifierKey, text: str, signature: bytes) -> bool:
    if key.key_type == COSIGNATURE:
        if len(signature) != 72:
            return False
        message, signature = cosignature_message(text, int.from_bytes(signature[:8], "big")), signature[8:]
    else:
        message = text.encode()
    try:
        key.key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


@dataclass
class Checkpoint:
    """A checkpoint whose signatures were checked: by the log's keys (``signed_by``) and by witnesses
    (``cosigned_by``)."""

    origin: str
    size: int
    root: bytes
    extensions: list[str]
    note: str
    signed_by: list[str] = field(default_factory=list)
    cosigned_by: list[str] = field(default_factory=list)


def checkpoint_text(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    return "".join(f"{line}\n" for line in (origin, str(size), base64.b64encode(root).decode(), *extensions))


def parse_checkpoint_text(text: str) -> tuple[str, int, bytes, list[str]]:
    lines = text.split("\n")[:-1]
    if len(lines) < 3 or not lines[0] or "" in lines:
        raise ProofError("point de contrôle mal formé : origine, taille et racine attendues, sans ligne vide")
    origin, size, root = lines[:3]
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")) or int(size) >= 1 << 64:
        raise ProofError(f"point de contrôle mal formé : taille {size[:30]!r} illisible")
    try:
        raw = base64.b64decode(root, validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != HASH_SIZE:
        raise ProofError("point de contrôle mal formé : racine illisible (32 octets en base64 attendus)")
    return origin, int(size), raw, lines[3:]


def open_checkpoint(message: str | bytes, keys: Sequence[VerifierKey], quorum: int = 0) -> Checkpoint:
    """The checkpoint of a signed note, refused unless one of the log's keys (type 0x01) signed it
    and at least ``quorum`` witnesses' keys (type 0x04) cosigned it. A signature by a known key
    that does not verify is refused: a forged or altered note."""
    note = parse_note(message)
    origin, size, root, extensions = parse_checkpoint_text(note.text)
    checkpoint = Checkpoint(origin, size, root, extensions, note.text)
    for signature in note.signatures:
        key = next((k for k in keys if (k.name, k.id) == (signature.name, signature.id)), None)
        if key is None:
            continue  # a signature by a key nobody gave: neither trusted nor refused
        if not _verifies(key, note.text, signature.signature):
            raise ProofError(f"signature incorrecte de la clé {key.name} (note falsifiée ou modifiée)")
        names = checkpoint.cosigned_by if key.key_type == COSIGNATURE else checkpoint.signed_by
        if key.name not in names:
            names.append(key.name)
    if not checkpoint.signed_by:
        named = ", ".join(f"{s.name} ({s.id.hex()})" for s in note.signatures)
        raise ProofError(f"signature incorrecte : clé inconnue (aucune des clés du journal données ; "
                         f"signé par {named})")
    if len(checkpoint.cosigned_by) < quorum:
        raise ProofError(f"{words(len(checkpoint.cosigned_by), 'cosignature')} de témoins, {words(quorum, 'exigée')}")
    return checkpoint


# --- The stand-alone verifier ---

def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ProofError(f"fichier {path} illisible ({error.__class__.__name__})") from None


def _read_json(path: str) -> dict:
    try:
        value = json.loads(_read(path))
    except ValueError:
        raise ProofError(f"fichier {path} : JSON illisible") from None
    if not isinstance(value, dict):
        raise ProofError(f"fichier {path} : objet JSON attendu")
    return value


def _hashes(values: object) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ProofError("preuve illisible : liste d'empreintes hexadécimales attendue")
    try:
        return [bytes.fromhex(value) for value in values]
    except ValueError:
        raise ProofError("preuve illisible : empreinte non hexadécimale") from None


def _integer(proof: dict, name: str) -> int:
    value = proof.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"preuve illisible : « {name} » doit être un entier positif")
    return value


def _open(path: str, options: argparse.Namespace) -> Checkpoint:
    keys = [VerifierKey.parse(text) for text in options.cle]
    return open_checkpoint(_read(path), keys, options.quorum)


def _described(checkpoint: Checkpoint) -> str:
    witnesses = (f", cosigné par {words(len(checkpoint.cosigned_by), 'témoin')} ({', '.join(checkpoint.cosigned_by)})"
                 if checkpoint.cosigned_by else ", sans cosignature de témoin")
    return (f"point de contrôle de {checkpoint.origin}, {words(checkpoint.size, 'événement')}, signé par "
            f"{', '.join(checkpoint.signed_by)}{witnesses}")


def check_checkpoint(options: argparse.Namespace) -> str:
    return _described(_open(options.note, options))


def check_inclusion(options: argparse.Namespace) -> str:
    checkpoint, proof = _open(options.point, options), _read_json(options.preuve)
    index, size = _integer(proof, "index"), _integer(proof, "size")
    if size != checkpoint.size:
        raise ProofError(f"la preuve vaut pour {size} événements, le point de contrôle en atteste {checkpoint.size}")
    leaf = proof.get("digest")
    event = proof.get("event")
    if isinstance(event, dict):
        try:
            computed = digest(event)
        except (KeyError, TypeError, ValueError):
            raise ProofError("événement illisible dans la preuve") from None
        if computed != leaf:
            raise ProofError("l'événement de la preuve a été modifié : son empreinte ne correspond plus")
    verify_inclusion(index, size, leaf_hash(_hashes([leaf])[0]), _hashes(proof.get("proof")), checkpoint.root)
    return f"événement de rang {index + 1} inclus dans le journal ; {_described(checkpoint)}"


def check_consistency(options: argparse.Namespace) -> str:
    old, new = _open(options.ancien, options), _open(options.nouveau, options)
    if old.origin != new.origin:
        raise ProofError(f"deux journaux différents : {old.origin} et {new.origin}")
    proof = _read_json(options.preuve) if options.preuve else {"old_size": old.size, "new_size": new.size,
                                                                 "proof": []}
    if (_integer(proof, "old_size"), _integer(proof, "new_size")) != (old.size, new.size):
        raise ProofError("la preuve ne porte pas sur les tailles des deux points de contrôle")
    verify_consistency(old.size, new.size, old.root, new.root, _hashes(proof.get("proof")))
    return (f"le journal de {old.size} événements est le début de celui de {new.size} : "
            "aucun événement retiré ni modifié")


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="python proofs.py", description="Vérifie hors ligne les points de contrôle signés et les preuves "
        "du journal d'audit de la cellule de suivi, sans accès à la base de données.")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    def command(name: str, help_text: str, run: Callable[[argparse.Namespace], str]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        sub.add_argument("--cle", action="append", required=True, metavar="CLÉ",
                         help="clé de vérification nom+identifiant+clé (celle du journal, et celles des témoins) ; "
                              "à répéter")
        sub.add_argument("--quorum", type=int, default=0, metavar="N",
                         help="nombre de cosignatures de témoins exigé (0 par défaut)")
        return sub

    command("point", "Vérifie les signatures d'un point de contrôle.", check_checkpoint).add_argument(
        "note", metavar="POINT", help="point de contrôle signé (fichier texte)")
    inclusion = command("inclusion", "Vérifie qu'un événement est dans le journal attesté par un point de contrôle.",
                        check_inclusion)
    inclusion.add_argument("preuve", metavar="PREUVE", help="preuve d'inclusion (JSON de manage.py audit_proof)")
    inclusion.add_argument("--point", required=True, metavar="POINT", help="point de contrôle signé")
    consistency = command("coherence", "Vérifie qu'un point de contrôle prolonge le précédent sans rien en retirer.",
                          check_consistency)
    consistency.add_argument("preuve", nargs="?", metavar="PREUVE",
                             help="preuve de cohérence (JSON de manage.py audit_proof) ; inutile à taille égale")
    consistency.add_argument("--ancien", required=True, metavar="POINT", help="le point de contrôle le plus ancien")
    consistency.add_argument("--nouveau", required=True, metavar="POINT", help="le point de contrôle le plus récent")
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    options = receipts_parser().parse_args(argv)  # the subcommands below included
    try:
        message = options.run(options)
    except ProofError as error:
        print(f"ÉCHEC : {error}.", file=sys.stderr)
        return 1
    print(f"OK : {message}.")
    return 0


# --- Access receipts and archives of the trail (issue 30, points 4 and 5) ---
# Appended here so that the same stand-alone file checks them; ``main()`` above parses with
# ``receipts_parser``, which adds their two subcommands (« recus », « archive »).

RECEIPTS_FORMAT = "cellule-de-suivi/recus-de-consultation/1"
BUNDLE_FORMAT = "cellule-de-suivi/audit-bundle/1"  # an inspector's export (audit.exports)
ARCHIVE_FORMAT = "cellule-de-suivi/archive-du-journal/1"


def verify_receipts(receipts: Mapping[str, Any], keys: Sequence[VerifierKey],
                    quorum: int = 0) -> tuple[Checkpoint | None, int]:
    """Each receipt of a person's export: its event's columns give its leaf, its proof leads from that
    leaf to the root of the signed checkpoint of the export. Nothing of any other event is needed."""
    if receipts.get("format") != RECEIPTS_FORMAT:
        raise ProofError("format de reçus inconnu")
    items = receipts.get("receipts")
    if not isinstance(items, list):
        raise ProofError("reçus illisibles : liste « receipts » attendue")
    note = receipts.get("checkpoint")
    if note is None and not items:
        return None, 0
    checkpoint = open_checkpoint(note if isinstance(note, str) else "", keys, quorum)
    for number, receipt in enumerate(items, start=1):
        if not isinstance(receipt, dict) or not isinstance(receipt.get("event"), dict):
            raise ProofError(f"reçu n° {number} illisible")
        index, size = _integer(receipt, "index"), _integer(receipt, "size")
        if size != checkpoint.size:
            raise ProofError(f"reçu n° {number} : preuve pour {size} événements, le point de contrôle en atteste "
                             f"{checkpoint.size}")
        try:
            leaf = leaf_hash(bytes.fromhex(digest(receipt["event"])))
        except (KeyError, TypeError, ValueError):
            raise ProofError(f"reçu n° {number} : événement illisible") from None
        try:
            verify_inclusion(index, size, leaf, _hashes(receipt.get("proof")), checkpoint.root)
        except ProofError as error:
            raise ProofError(f"reçu n° {number} (rang {index + 1}) : {error}") from None
    return checkpoint, len(items)


def outside_ranges(start: int, end: int, size: int) -> list[tuple[int, int]]:
    """The ranges of the tree of ``size`` leaves, left to right, that make its root together with the
    leaves [start, end): the largest ones of the RFC's recursion lying wholly outside them."""
    ranges: list[tuple[int, int]] = []

    def walk(low: int, high: int) -> None:
        if high <= start or low >= end:
            ranges.append((low, high))
        elif high - low > 1:
            k = _split(high - low)
            walk(low, low + k)
            walk(low + k, high)

    walk(0, size)
    return ranges


def range_root(start: int, leaves: Sequence[bytes], size: int, hashes: Sequence[bytes]) -> bytes:
    """The root of the tree of ``size`` leaves from the leaf hashes [start, start + len(leaves)) and
    the hashes of ``outside_ranges``, in order."""
    end, given = start + len(leaves), iter(hashes)
    if not 0 <= start < end <= size:
        raise ProofError(f"rangs {start + 1} à {end} hors d'un arbre de {size} feuilles")

    def walk(low: int, high: int) -> bytes:
        if high <= start or low >= end:
            value = next(given, None)
            if value is None:
                raise ProofError("preuve de l'archive trop courte")
            return value
        if high - low == 1:
            return leaves[low - start]
        k = _split(high - low)
        return node_hash(walk(low, low + k), walk(low + k, high))

    root = walk(0, size)
    if next(given, None) is not None:
        raise ProofError("preuve de l'archive trop longue")
    return root


def _chained(previous: str, event_digest: str) -> str:
    """A link of the trail's hash chain (audit.chain): SHA-256(previous hash, "\\n", digest)."""
    return hashlib.sha256(f"{previous}\n{event_digest}".encode()).hexdigest()


def archive_note_text(origin: str, first: int, last: int, sha256: str) -> str:
    return f"{origin}\narchive {first} {last}\nsha256 {sha256}\n"


def verify_archive(content: bytes, note: str, keys: Sequence[VerifierKey], quorum: int = 0) -> str:
    """An archive of the trail (JSON lines): its SHA-256 signed by the log's key, its events linked by
    the chain from the boundary's hash to its last one, and its leaves, with the hashes of the rest of
    the tree, making the root of the signed checkpoint that covered them. Returns what it holds."""
    parsed = parse_note(note)
    signed = [key.name for key in keys for s in parsed.signatures if key.key_type == ED25519
              and (key.name, key.id) == (s.name, s.id) and _verifies(key, parsed.text, s.signature)]
    if not signed:
        raise ProofError("archive : signature incorrecte ou clé inconnue (note falsifiée, ou clé d'un autre journal)")
    lines = content.decode("utf-8", "replace").splitlines()
    try:
        header, rows = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
        first, last = _integer(header, "first_seq"), _integer(header, "last_seq")
    except (ValueError, IndexError):
        raise ProofError("archive illisible (JSON attendu sur chaque ligne)") from None
    if parsed.text != archive_note_text(signed[0], first, last, hashlib.sha256(content).hexdigest()):
        raise ProofError("archive modifiée : son empreinte SHA-256 n'est plus celle que la note signée atteste")
    if header.get("format") != ARCHIVE_FORMAT or len(rows) != last - first + 1 or not rows:
        raise ProofError("archive incomplète : le nombre d'événements ne correspond pas à ses rangs")
    current, leaves = header.get("previous_hash"), []
    for seq, row in enumerate(rows, start=first):
        try:
            event_digest = digest(row["event"])
        except (KeyError, TypeError, ValueError):
            raise ProofError(f"archive : événement de rang {seq} illisible") from None
        current = _chained(str(current), event_digest)
        if row.get("seq") != seq or row.get("hash") != current:
            raise ProofError(f"archive : chaîne rompue au rang {seq} (événement modifié, retiré ou déplacé)")
        leaves.append(leaf_hash(bytes.fromhex(event_digest)))
    checkpoint = open_checkpoint(str(header.get("checkpoint", "")), keys, quorum)
    root = range_root(first - 1, leaves, checkpoint.size, _hashes(header.get("tree")))
    if root != checkpoint.root:
        raise ProofError("archive : ses événements ne mènent pas à la racine du point de contrôle signé")
    return (f"archive des rangs {first} à {last} intègre, signée par {signed[0]}, incluse dans le "
            f"{_described(checkpoint)}")


def check_receipts(options: argparse.Namespace) -> str:
    return _receipts_checked(_read_json(options.recus), options)


def check_bundle(options: argparse.Namespace) -> str:
    """An inspector's bundle: its events' receipts (an inclusion proof each against the checkpoint it
    carries). Its chain of digests and signed head are checked by ``manage.py verify_audit --file``."""
    bundle = _read_json(options.paquet)
    if bundle.get("format") != BUNDLE_FORMAT:
        raise ProofError("format de paquet inconnu")
    if not isinstance(bundle.get("receipts"), dict):
        raise ProofError("paquet sans reçus (exporté avant l'arbre de Merkle, ou de plus de 2 000 événements) : "
                         "vérifiez-le avec manage.py verify_audit --file")
    return "paquet d'audit : " + _receipts_checked(bundle["receipts"], options)


def _receipts_checked(receipts: dict, options: argparse.Namespace) -> str:
    keys = [VerifierKey.parse(text) for text in options.cle]
    checkpoint, checked = verify_receipts(receipts, keys, options.quorum)
    pending = receipts.get("pending")
    waiting = len(pending) if isinstance(pending, list) else 0
    covered = words(checked, "reçu vérifié", "reçus vérifiés") + (f" ; {_described(checkpoint)}" if checkpoint else "")
    uncovered = words(waiting, "événement pas encore couvert", "événements pas encore couverts")
    return covered + (f" ; {uncovered} par un point de contrôle" if waiting else "")


def check_archive(options: argparse.Namespace) -> str:
    try:
        with open(options.archive, "rb") as file:
            content = file.read()
    except OSError as error:
        raise ProofError(f"fichier {options.archive} illisible ({error.__class__.__name__})") from None
    keys = [VerifierKey.parse(text) for text in options.cle]
    return verify_archive(content, _read(options.note or options.archive + ".note"), keys, options.quorum)


def receipts_parser() -> argparse.ArgumentParser:
    """The verifier's parser with the subcommands for receipts and archives."""
    main_parser = parser()
    commands = next(action for action in main_parser._actions if isinstance(action, argparse._SubParsersAction))
    for name, help_text, run, argument, argument_help in (
            ("recus", "Vérifie les reçus de consultation d'un export de données personnelles.", check_receipts,
             "recus", "fichier recus_de_consultation.json de l'export"),
            ("paquet", "Vérifie les reçus des événements d'un paquet exporté par l'inspection.", check_bundle,
             "paquet", "paquet vérifiable (journal-audit-….json)"),
            ("archive", "Vérifie une archive du journal d'audit (événements retirés après leur durée de conservation).",
             check_archive, "archive", "archive du journal (JSON lines)")):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        sub.add_argument(argument, help=argument_help)
        sub.add_argument("--cle", action="append", required=True, metavar="CLÉ",
                         help="clé de vérification nom+identifiant+clé du journal (et des témoins) ; à répéter")
        sub.add_argument("--quorum", type=int, default=0, metavar="N", help="cosignatures de témoins exigées")
        if name == "archive":
            sub.add_argument("--note", metavar="NOTE", help="note signée de l'archive (par défaut ARCHIVE.note)")
    return main_parser


if __name__ == "__main__":
    sys.exit(main())
