"""A witness of the audit trail, run by someone other than the operator: ``python audit/witness.py``.

The inspection or the DPO runs it on a machine of theirs, with its own Ed25519 key and its own state
file, next to ``proofs.py`` (standard library and ``cryptography`` only, no Django): docs/temoin.md.
It speaks C2SP tlog-witness (https://c2sp.org/tlog-witness): a request is an ``old N`` line, the
base64 hashes of a consistency proof, a blank line and a signed checkpoint; the answer is a
cosignature line (https://c2sp.org/tlog-cosignature).

It cosigns a checkpoint only if the log's known key signed it and the tree it names extends the last
one the witness cosigned for that log (a consistency proof from that size holds), and records the new
size and root before answering, under a lock: it never cosigns two trees that disagree. Whoever
controls the application's host can re-forge the trail and sign a fresh head with the application's
key; the witness, holding the root it cosigned before, refuses it. A refusal says why, in French, with
tlog-witness's HTTP status (409 when the old size is not the witness's, or for a fork: two roots of
the same size); a refused checkpoint that the log's key did sign is kept in the state as evidence.
"""

import argparse
import base64
import binascii
import contextlib
import fcntl
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

if __package__:
    from audit import proofs
else:  # run as a program, with proofs.py beside it (``python -I`` adds no directory to the path)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import proofs  # type: ignore[import-not-found, no-redef]

MAX_PROOF_LINES = 63  # tlog-witness: a client sends at most 63 proof lines
MAX_BODY = 64 * 1024
MAX_EVIDENCE = 100  # refused checkpoints kept per log: the first ones, the likeliest to matter
SIZE_CONTENT_TYPE = "text/x.tlog.size"
# The program's exit codes, by tlog-witness's status of the refusal (docs/temoin.md lists them).
EXIT_CODES = {400: 3, 403: 4, 404: 4, 409: 5, 422: 6}
FAILURE = 1  # the witness's own files: key or state unreadable


class Refusal(Exception):
    """A checkpoint the witness does not cosign: tlog-witness's HTTP status and the reason in French;
    ``size`` is the witness's last cosigned size when the request's old size is not it."""

    def __init__(self, status: int, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.size = status, message, size


class WitnessError(Exception):
    """The witness's own key or state cannot be read or written: nothing is cosigned."""


@dataclass(frozen=True)
class Request:
    """An ``add-checkpoint`` request: the size the client believes the witness has, a consistency
    proof from it, and the signed checkpoint note."""

    old_size: int
    proof: list[bytes]
    note: str

    def body(self) -> bytes:
        lines = [f"old {self.old_size}", *(base64.b64encode(value).decode() for value in self.proof)]
        return ("\n".join(lines) + "\n\n" + self.note).encode()


def parse_size(text: str) -> int | None:
    """A size written as tlog-witness wants it: ASCII decimal, no leading zero."""
    if not text.isascii() or not text.isdigit() or (text != "0" and text.startswith("0")):
        return None
    return int(text)


def parse_request(body: bytes) -> Request:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "requête mal formée : pas de l'UTF-8") from None
    head, blank, note = text.partition("\n\n")
    lines = head.split("\n")
    old = parse_size(lines[0][4:]) if lines[0].startswith("old ") else None
    if not blank or old is None:
        raise Refusal(400, "requête mal formée : une ligne « old TAILLE », les lignes de la preuve, une ligne vide, "
                           "puis le point de contrôle signé sont attendus")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise Refusal(400, f"requête mal formée : plus de {MAX_PROOF_LINES} lignes de preuve")
    proof = []
    for line in lines[1:]:
        try:
            value = base64.b64decode(line, validate=True)
        except (ValueError, binascii.Error):
            value = b""
        if len(value) != proofs.HASH_SIZE:
            raise Refusal(400, f"requête mal formée : ligne de preuve illisible {line[:60]!r} "
                               "(32 octets en base64 attendus)")
        proof.append(value)
    return Request(old, proof, note)


# --- The witness's key and state ---

def new_key_text(name: str) -> str:
    """A fresh private key, as Go's note package writes one: PRIVATE+KEY+name+id+base64(type || seed)."""
    if not name or any(char.isspace() or char == "+" for char in name):
        raise WitnessError(f"nom de témoin {name!r} invalide (ni espace ni « + »)")
    private = Ed25519PrivateKey.generate()
    key_id = proofs.key_id(name, proofs.COSIGNATURE, private.public_key().public_bytes_raw())
    seed = bytes([proofs.COSIGNATURE]) + private.private_bytes_raw()
    return f"PRIVATE+KEY+{name}+{key_id.hex()}+{base64.b64encode(seed).decode()}\n"


def read_key(path: str) -> tuple[str, Ed25519PrivateKey]:
    """The witness's name and private key, from a file of ``new_key_text``."""
    try:
        parts = Path(path).read_text(encoding="ascii").strip().split("+", 4)
        raw = base64.b64decode(parts[4], validate=True)
        if parts[:2] != ["PRIVATE", "KEY"] or len(parts) != 5 or len(raw) != 33 or raw[0] != proofs.COSIGNATURE:
            raise ValueError
        key = Ed25519PrivateKey.from_private_bytes(raw[1:])
    except (OSError, UnicodeDecodeError, ValueError, IndexError, binascii.Error):
        raise WitnessError(f"clé du témoin illisible : {path} (créez-la avec « generer-cle »)") from None
    if proofs.key_id(parts[2], proofs.COSIGNATURE, key.public_key().public_bytes_raw()).hex() != parts[3]:
        raise WitnessError(f"clé du témoin {path} : son identifiant ne correspond pas à la clé")
    return parts[2], key


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` whole or not at all: written beside it, flushed to the disk, then
    renamed over it (a rename is atomic), and the directory flushed so that the rename lasts. A crash
    at any point leaves the former file or the new one, never a mix."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class State:
    """The witness's record, one JSON file: per log origin, the size and root it last cosigned and
    the refused checkpoints kept as evidence. ``locked()`` serialises check-then-write, between the
    threads of ``servir`` and between processes (an exclusive lock on a file beside it)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._thread_lock = threading.Lock()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with self._thread_lock:
            try:
                lock = self.path.with_name(self.path.name + ".verrou").open("a")
            except OSError as error:
                raise WitnessError(f"état du témoin {self.path} inaccessible ({error.strerror})") from None
            with lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                yield

    def read(self) -> dict[str, dict[str, Any]]:
        try:
            logs = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            raise WitnessError(f"état du témoin illisible : {self.path} (remettez la dernière copie)") from None
        if not isinstance(logs, dict) or not all(isinstance(log, dict) for log in logs.values()):
            raise WitnessError(f"état du témoin illisible : {self.path} (objet JSON par journal attendu)")
        return logs

    def write(self, logs: dict[str, dict[str, Any]]) -> None:
        try:
            write_atomically(self.path, json.dumps(logs, ensure_ascii=False, indent=1) + "\n")
        except OSError as error:
            raise WitnessError(f"état du témoin non enregistré : {self.path} ({error.strerror}) ; "
                               "rien n'a été cosigné") from None


class Witness:
    """Cosigns the checkpoints of the logs whose keys it was given (``logs``: verifier keys named by
    the log's origin, type 0x01), each only if it extends the last one it cosigned for that log."""

    def __init__(self, name: str, key: Ed25519PrivateKey, logs: Sequence[proofs.VerifierKey], state: State,
                 clock: Callable[[], float] = time.time) -> None:
        self.name, self.key, self.logs, self.state, self.clock = name, key, list(logs), state, clock

    @property
    def verifier_key(self) -> str:
        return proofs.VerifierKey.text(self.name, self.key.public_key().public_bytes_raw(), proofs.COSIGNATURE)

    def add_checkpoint(self, request: Request) -> str:
        """The cosignature line of the request's checkpoint, once the new state is on disk; a
        ``Refusal`` otherwise."""
        try:
            origin, size, root, _ = proofs.parse_checkpoint_text(proofs.parse_note(request.note).text)
        except proofs.ProofError as error:
            raise Refusal(400, str(error)) from None
        keys = [key for key in self.logs if key.name == origin and key.key_type == proofs.ED25519]
        if not keys:
            raise Refusal(404, f"journal inconnu du témoin : {origin}")
        try:
            proofs.open_checkpoint(request.note, keys)
        except proofs.ProofError as error:
            raise Refusal(403, str(error)) from None
        if request.old_size > size:
            raise Refusal(400, f"ancienne taille {request.old_size} supérieure à la taille {size} du point de contrôle")
        with self.state.locked():
            logs = self.state.read()
            known = logs.get(origin, {})
            cosigned = known.get("size", 0)
            if request.old_size != cosigned:
                last = proofs.words(cosigned, "événement")
                raise Refusal(409, f"le témoin a cosigné en dernier {last} de ce journal, pas {request.old_size}",
                              size=cosigned)
            try:
                if "root" in known:
                    proofs.verify_consistency(cosigned, size, base64.b64decode(known["root"]), root, request.proof)
                elif request.proof:
                    raise proofs.ProofError("preuve de cohérence non vide pour un premier point de contrôle")
            except proofs.ProofError as error:
                refusal = Refusal(409 if size == cosigned else 422, f"point de contrôle refusé : {error}")
                self._keep_evidence(logs, origin, request, refusal)
                raise refusal from None
            now = int(self.clock())
            logs[origin] = {**known, "size": size, "root": base64.b64encode(root).decode(), "time": now}
            self.state.write(logs)
        return proofs.cosign(request.note, self.name, self.key, now)[len(request.note):]

    def _keep_evidence(self, logs: dict[str, dict[str, Any]], origin: str, request: Request, refusal: Refusal) -> None:
        """A checkpoint signed by the log's key that contradicts what the witness cosigned: the
        log's misbehaviour, signed by itself. Kept (a fork is remembered) before the refusal goes."""
        evidence = logs.setdefault(origin, {}).setdefault("refus", [])
        if len(evidence) < MAX_EVIDENCE:
            evidence.append({"time": int(self.clock()), "raison": refusal.message,
                             "requete": request.body().decode()})
            self.state.write(logs)


# --- The HTTP API (tlog-witness) ---

def handler(witness: Witness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as tlog-witness recommends

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            if self.path != "/add-checkpoint":
                return self._answer(404, "adresse inconnue : seul POST /add-checkpoint est servi\n")
            length = parse_size(self.headers.get("Content-Length", ""))
            if length is None or length > MAX_BODY:
                self.close_connection = True
                return self._answer(400 if length is None else 413, "requête sans longueur, ou trop longue\n")
            body = self.rfile.read(length)
            try:
                self._answer(200, witness.add_checkpoint(parse_request(body)))
            except Refusal as refusal:
                if refusal.size is not None:
                    self._answer(409, f"{refusal.size}\n", SIZE_CONTENT_TYPE)
                else:
                    self._answer(refusal.status, refusal.message + "\n")
            except WitnessError as error:
                self._answer(500, f"{error}\n")

        def _answer(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


# --- The program ---

def _witness(options: argparse.Namespace) -> Witness:
    name, key = read_key(options.cle)
    try:
        logs = [proofs.VerifierKey.parse(text) for text in options.journal]
    except proofs.ProofError as error:
        raise WitnessError(str(error)) from None
    return Witness(name, key, logs, State(options.etat))


def _request(options: argparse.Namespace) -> Request:
    """The request of ``cosigner``: a tlog-witness body (a file, or standard input), or a checkpoint
    note with the JSON consistency proof of ``manage.py audit_proof`` (none for a first one)."""
    try:
        if options.point is None:
            body = sys.stdin.buffer.read() if options.requete == "-" else Path(options.requete).read_bytes()
            return parse_request(body)
        note = Path(options.point).read_text(encoding="utf-8")
        proof = json.loads(Path(options.preuve).read_text(encoding="utf-8")) if options.preuve else {"old_size": 0}
        return Request(int(proof["old_size"]), [bytes.fromhex(value) for value in proof.get("proof", [])], note)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise Refusal(400, f"requête illisible ({error.__class__.__name__})") from None


def generate(options: argparse.Namespace) -> int:
    path = Path(options.cle)
    try:
        with path.open("x", encoding="ascii") as file:  # never over a key: its cosignatures would be orphaned
            path.chmod(0o600)
            file.write(new_key_text(options.nom))
    except FileExistsError:
        raise WitnessError(f"{path} existe déjà : une clé de témoin ne se remplace pas par mégarde") from None
    except OSError as error:
        raise WitnessError(f"clé non écrite : {path} ({error.strerror})") from None
    name, key = read_key(options.cle)
    print(f"Clé privée du témoin écrite dans {path} (gardez-la secrète). Sa clé de vérification, à donner "
          "à l'exploitant (réglage AUDIT_WITNESSES) et aux vérificateurs :")
    print(proofs.VerifierKey.text(name, key.public_key().public_bytes_raw(), proofs.COSIGNATURE))
    return 0


def cosign(options: argparse.Namespace) -> int:
    witness = _witness(options)
    sys.stdout.write(witness.add_checkpoint(_request(options)))
    return 0


def serve(options: argparse.Namespace) -> int:
    witness = _witness(options)
    server = ThreadingHTTPServer((options.adresse, options.port), handler(witness))
    print(f"Témoin {witness.name} à l'écoute sur http://{options.adresse}:{server.server_port}/add-checkpoint ; "
          f"clé de vérification {witness.verifier_key}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="python witness.py", description="Témoin du journal d'audit de la cellule de suivi : cosigne un point "
        "de contrôle seulement s'il prolonge le dernier qu'il a cosigné (C2SP tlog-witness).")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    key = commands.add_parser("generer-cle", help="Crée la clé privée du témoin et affiche sa clé de vérification.")
    key.set_defaults(run=generate)
    key.add_argument("--nom", required=True, help="nom du témoin, par exemple inspection.interieur.gouv.fr/temoin")
    key.add_argument("--cle", required=True, metavar="FICHIER", help="fichier à créer pour la clé privée")

    def witness_command(name: str, help_text: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        sub.add_argument("--cle", required=True, metavar="FICHIER", help="clé privée du témoin (generer-cle)")
        sub.add_argument("--etat", required=True, metavar="FICHIER", help="fichier d'état du témoin (créé au besoin)")
        sub.add_argument("--journal", action="append", required=True, metavar="CLÉ",
                         help="clé de vérification du journal (manage.py audit_public_key) ; à répéter")
        return sub

    one = witness_command("cosigner", "Cosigne un point de contrôle et affiche la ligne de cosignature.", cosign)
    one.add_argument("requete", nargs="?", default="-", metavar="REQUÊTE",
                     help="requête tlog-witness (« old N », la preuve, une ligne vide, le point) ; - : entrée standard")
    one.add_argument("--point", metavar="FICHIER", help="ou bien : le point de contrôle signé…")
    one.add_argument("--preuve", metavar="FICHIER", help="… et la preuve de cohérence JSON (manage.py audit_proof)")
    server = witness_command("servir", "Sert POST /add-checkpoint (C2SP tlog-witness) en HTTP.", serve)
    server.add_argument("--adresse", default="127.0.0.1", help="adresse d'écoute (127.0.0.1 par défaut)")
    server.add_argument("--port", type=int, default=8780, help="port d'écoute (8780 par défaut)")
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    options = parser().parse_args(argv)
    try:
        run: Callable[[argparse.Namespace], int] = options.run
        return run(options)
    except Refusal as refusal:
        print(f"REFUS : {refusal.message}.", file=sys.stderr)
        return EXIT_CODES[refusal.status]
    except WitnessError as error:
        print(f"ÉCHEC : {error}.", file=sys.stderr)
        return FAILURE


if __name__ == "__main__":
    sys.exit(main())
