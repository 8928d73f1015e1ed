"""The Merkle tree: RFC 9162 hashing and proofs against published vectors and an independent
implementation, C2SP notes against golang.org/x/mod's vectors, and the tree the sealer stores.

Vectors: transparency-dev/merkle, testonly/constants.go (leaves, node and root hashes) and
proof/verify_test.go (inclusion and consistency proofs; their leaf numbers count from 1); the note
of golang.org/x/mod/sumdb/note/note_test.go (PeterNeumann's key and signature).
"""

import base64

import pymerkle
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError
from hypothesis import given
from hypothesis import strategies as st

from audit import chain, proofs, tree
from audit.models import TreeNode
from tests.audit.trail import record_events, run, sealed_rows, tamper

LEAVES = [bytes.fromhex(value) for value in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
NODES = [
    ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"],
    ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"],
    ["d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
ROOTS = [  # by tree size, from the empty tree
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (leaf number from 1, tree size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
VECTOR_TREE = proofs.MemoryTree(LEAVES)


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def test_the_reference_nodes_and_roots():
    assert [[node.hex() for node in level] for level in VECTOR_TREE.levels] == NODES
    assert [VECTOR_TREE.root(size).hex() for size in range(9)] == ROOTS


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_the_reference_inclusion_proofs(leaf, size, proof):
    assert VECTOR_TREE.inclusion_proof(leaf - 1, size) == hexes(proof)
    leaf_hash, root = VECTOR_TREE.node(0, leaf - 1), VECTOR_TREE.root(size)
    proofs.verify_inclusion(leaf - 1, size, leaf_hash, hexes(proof), root)
    # Probes of transparency-dev's testdata: each corruption is refused.
    corrupted = [(leaf - 2, size, leaf_hash, hexes(proof), root), (leaf, size, leaf_hash, hexes(proof), root),
                 (leaf - 1, size * 2, leaf_hash, hexes(proof), root), (leaf - 1, size, SOME_HASH, hexes(proof), root),
                 (leaf - 1, size, leaf_hash, hexes(proof), SOME_HASH),
                 (leaf - 1, size, leaf_hash, [*hexes(proof), root], root),
                 (leaf - 1, size, leaf_hash, [root, *hexes(proof)], root)]
    corrupted += [(leaf - 1, size, leaf_hash, hexes(proof)[:-1], root)] if proof else []
    corrupted += [(leaf - 1, size, leaf_hash, flipped(hexes(proof), n), root) for n in range(len(proof))]
    for probe in corrupted:
        with pytest.raises(proofs.ProofError):
            proofs.verify_inclusion(*probe)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_the_reference_consistency_proofs(old, new, proof):
    assert VECTOR_TREE.consistency_proof(old, new) == hexes(proof)
    old_root, new_root = VECTOR_TREE.root(old), VECTOR_TREE.root(new)
    proofs.verify_consistency(old, new, old_root, new_root, hexes(proof))
    if not proof:
        return
    corrupted = [(old - 1, new, old_root, new_root, hexes(proof)), (old + 1, new, old_root, new_root, hexes(proof)),
                 (old, new * 2, old_root, new_root, hexes(proof)), (old, new, new_root, old_root, hexes(proof)),
                 (old, new, old_root, new_root, []), (old, new, old_root, new_root, hexes(proof)[:-1]),
                 (old, new, old_root, new_root, [*hexes(proof), old_root]),
                 (old, new, old_root, new_root, [new_root, *hexes(proof)])]
    corrupted += [(old, new, old_root, new_root, flipped(hexes(proof), n)) for n in range(len(proof))]
    for probe in corrupted:
        with pytest.raises(proofs.ProofError):
            proofs.verify_consistency(*probe)


def flipped(proof: list[bytes], position: int) -> list[bytes]:
    changed = list(proof)
    changed[position] = bytes([changed[position][0] ^ 16]) + changed[position][1:]
    return changed


def test_two_trees_of_the_same_size_are_a_fork():
    other = proofs.MemoryTree([*LEAVES[:5], b"falsifie", *LEAVES[6:]])
    with pytest.raises(proofs.ProofError, match="fourche"):
        proofs.verify_consistency(8, 8, VECTOR_TREE.root(), other.root(), [])
    with pytest.raises(proofs.ProofError, match="incohérence"):
        proofs.verify_consistency(6, 8, other.root(6), VECTOR_TREE.root(), VECTOR_TREE.consistency_proof(6, 8))


@given(st.lists(st.binary(max_size=16), min_size=1, max_size=70), st.data())
def test_roots_and_proofs_agree_with_pymerkle(leaves, data):
    """pymerkle (an independent RFC 9162 implementation): same roots, same inclusion paths; and our
    consistency proofs verify between its roots."""
    ours, theirs = proofs.MemoryTree(leaves), pymerkle.InmemoryTree(algorithm="sha256")
    for leaf in leaves:
        theirs.append_entry(leaf)
    size = data.draw(st.integers(1, len(leaves)))
    old = data.draw(st.integers(1, size))
    index = data.draw(st.integers(0, size - 1))
    assert ours.root(size) == theirs.get_root(size)
    path = theirs.prove_inclusion(index + 1, size).serialize()["path"]
    assert [node.hex() for node in ours.inclusion_proof(index, size)] == path[1:]  # theirs starts with the leaf
    proofs.verify_inclusion(index, size, ours.node(0, index), ours.inclusion_proof(index, size), theirs.get_root(size))
    proofs.verify_consistency(old, size, theirs.get_root(old), theirs.get_root(size), ours.consistency_proof(old, size))
    pymerkle.verify_consistency(theirs.get_root(old), theirs.get_root(size), theirs.prove_consistency(old, size))


PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJn"
             "AM=\n")
ENOCH_SIG = ("— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="
             "\n")


def test_the_signed_note_vectors_of_golang_x_mod():
    note = proofs.parse_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert note.text == TEXT and [s.name for s in note.signatures] == ["PeterNeumann", "EnochRoot"]
    keys = {name: proofs.VerifierKey.parse(key) for name, key in (("peter", PETER_KEY), ("enoch", ENOCH_KEY))}
    assert [s.id.hex() for s in note.signatures] == ["c74f20a3", "af0cfe78"]
    assert [proofs._verifies(keys[name], TEXT, s.signature)
            for name, s in zip(("peter", "enoch"), note.signatures, strict=True)] == [True, True]
    assert not proofs._verifies(keys["peter"], TEXT.replace("you", "they"), note.signatures[0].signature)
    for bad in (TEXT, TEXT + "\n", TEXT + "\n" + PETER_SIG[:-1], "\x01" + TEXT + "\n" + PETER_SIG,
                TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZ"
                "b6KE6RyyBwJnAM=", TEXT + "\n" + PETER_SIG + "Unexpected line.\n", TEXT + "\n" + PETER_SIG * 101):
        with pytest.raises(proofs.ProofError, match="note mal formée"):
            proofs.parse_note(bad)
    with pytest.raises(proofs.ProofError, match="note mal formée"):
        proofs.parse_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode())
    for bad_key in (PETER_KEY[:-1], PETER_KEY.replace("c74f20a3", "c74f20a4"),
                    "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"):
        with pytest.raises(proofs.ProofError, match="clé de vérification"):
            proofs.VerifierKey.parse(bad_key)


def test_a_checkpoint_is_parsed_strictly():
    text = proofs.checkpoint_text("exemple.fr/journal", 8, VECTOR_TREE.root(), ["chain 8 00"])
    assert proofs.parse_checkpoint_text(text) == ("exemple.fr/journal", 8, VECTOR_TREE.root(), ["chain 8 00"])
    for bad in (text.replace("\n8\n", "\n08\n"), text.replace("\n8\n", "\n-8\n"), "exemple.fr/journal\n8\n",
                text.replace(text.split("\n")[2], "AAAA")):
        with pytest.raises(proofs.ProofError, match="point de contrôle mal formé"):
            proofs.parse_checkpoint_text(bad)


def test_the_sealer_stores_every_complete_subtree(db):
    record_events(11)
    digests = [bytes.fromhex(chain.digest(row)) for row in sealed_rows()]
    expected = proofs.MemoryTree(digests)
    stored = {(n.level, n.index): bytes(n.hash) for n in TreeNode.objects.all()}
    assert stored == {(level, index): node for level, nodes in enumerate(expected.levels)
                      for index, node in enumerate(nodes)}
    assert tree.size() == 11 and tree.root(11) == expected.root() and tree.root(6) == expected.root(6)
    assert tree.inclusion_proof(4, 11) == expected.inclusion_proof(4, 11)
    assert tree.consistency_proof(3, 11) == expected.consistency_proof(3, 11)


def test_the_data_migration_builds_the_tree_of_an_existing_trail(db):
    record_events(5)
    before = {(n.level, n.index): bytes(n.hash) for n in TreeNode.objects.all()}
    tamper("DELETE FROM audit_treenode", [])
    assert tree.extend() == 5  # what the migration runs, with its historical models
    assert {(n.level, n.index): bytes(n.hash) for n in TreeNode.objects.all()} == before


def test_an_edited_leaf_is_named(db):
    record_events(5)
    tamper("UPDATE audit_treenode SET hash = %s WHERE level = 0 AND " + '"index"' + " = 2", [bytes(32)])
    with pytest.raises(CommandError, match="rang 3\\) : feuille de rang 3 de l'arbre de Merkle : ne correspond plus"):
        run("verify_audit")


def test_a_removed_or_edited_node_is_named(db):
    record_events(8)
    tamper("DELETE FROM audit_treenode WHERE level = 1 AND " + '"index"' + " = 1", [])
    with pytest.raises(CommandError, match="rangs 3 à 4\\) : absent"):
        run("verify_audit")


def test_an_edited_parent_is_named(db):
    record_events(8)
    tamper("UPDATE audit_treenode SET hash = %s WHERE level = 2 AND " + '"index"' + " = 1", [bytes(32)])
    with pytest.raises(CommandError, match="rangs 5 à 8\\) : ne correspond plus à ses deux enfants"):
        run("verify_audit")


def test_a_verifier_key_whose_base64_holds_a_plus_sign():
    key = next(key for key in iter(lambda: Ed25519PrivateKey.generate(), None)
               if "+" in base64.b64encode(b"\x01" + key.public_key().public_bytes_raw()).decode())
    text = proofs.VerifierKey.text("exemple.fr/journal", key.public_key().public_bytes_raw())
    note = proofs.sign_note(proofs.checkpoint_text("exemple.fr/journal", 8, VECTOR_TREE.root()), "exemple.fr/journal",
                            key)
    assert proofs.open_checkpoint(note, [proofs.VerifierKey.parse(text)]).signed_by == ["exemple.fr/journal"]
