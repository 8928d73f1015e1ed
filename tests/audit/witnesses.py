"""Helpers of the witness tests: a log of made-up leaves that signs its checkpoints, and witnesses."""

import base64
from contextlib import AbstractContextManager

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import proofs, witness
from tests.servers import in_thread

ORIGIN = "journal.test/audit"


class Log:
    """A log held in memory, signing its checkpoints with its own key, as the application does."""

    def __init__(self, size: int = 0, origin: str = ORIGIN, key: Ed25519PrivateKey | None = None) -> None:
        self.origin, self.key = origin, key or Ed25519PrivateKey.generate()
        self.tree = proofs.MemoryTree()
        self.grow(size)

    def grow(self, count: int, prefix: bytes = b"evenement") -> None:
        for _ in range(count):
            self.tree.append(prefix + str(self.tree.size).encode())

    @property
    def verifier_key(self) -> proofs.VerifierKey:
        return proofs.VerifierKey.parse(self.verifier_key_text)

    @property
    def verifier_key_text(self) -> str:
        return proofs.VerifierKey.text(self.origin, self.key.public_key().public_bytes_raw())

    def note(self, size: int | None = None) -> str:
        size = self.tree.size if size is None else size
        return proofs.sign_note(proofs.checkpoint_text(self.origin, size, self.tree.root(size)), self.origin, self.key)

    def request(self, old: int, size: int | None = None) -> witness.Request:
        size = self.tree.size if size is None else size
        return witness.Request(old, self.tree.consistency_proof(old, size) if old else [], self.note(size))


def new_witness(tmp_path, log: Log, name: str = "temoin.test/w1") -> witness.Witness:
    key = tmp_path / f"{name.replace('/', '_')}.cle"
    key.write_text(witness.new_key_text(name))
    state = witness.State(str(tmp_path / f"{name.replace('/', '_')}.json"))
    return witness.Witness(*witness.read_key(str(key)), [log.verifier_key], state)


def cosigner_key(served: witness.Witness) -> proofs.VerifierKey:
    return proofs.VerifierKey.parse(served.verifier_key)


def raw_public_key(log: Log) -> str:
    return base64.b64encode(log.key.public_key().public_bytes_raw()).decode()


def serving(served: witness.Witness) -> AbstractContextManager[str]:
    """The witness's HTTP API on a free port, in a thread; yields its base URL."""
    return in_thread(witness.handler(served))
