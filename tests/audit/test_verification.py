"""Verification of the whole trail where it is kept: on PostgreSQL the tree's leaves are checked in the
chain's pass and each level of parents folded in the database, by ranges on connections of their own
outside a transaction; every wrong node is still named as ``audit.tree`` names it, on both databases."""

import pytest
from django.core.management import CommandError

from audit import chain, tree, verification
from audit.models import Event
from tests.audit.trail import record_events, run, tamper, verified

NODE = 'UPDATE audit_treenode SET hash = %s WHERE level = {level} AND "index" = {index}'


def test_a_leaf_removed_inside_the_tree_is_named(db):
    record_events(6)
    tamper('DELETE FROM audit_treenode WHERE level = 0 AND "index" = 2', [])
    with pytest.raises(CommandError, match="rang 3\\) : feuille de rang 3 de l'arbre de Merkle : absente \\(nœud"):
        run("verify_audit")


@pytest.mark.parametrize(("level", "index", "ranks"), [(1, 5, "11 à 12"), (3, 1, "9 à 16"), (4, 0, "1 à 16")])
def test_an_edited_parent_is_named_at_its_level(db, level, index, ranks):
    record_events(17)
    tamper(NODE.format(level=level, index=index), [bytes(32)])
    with pytest.raises(CommandError, match=f"rangs {ranks}\\) : ne correspond plus à ses deux enfants"):
        run("verify_audit")


def test_the_first_wrong_level_is_named_before_a_higher_one(db):
    record_events(16)
    tamper(NODE.format(level=3, index=0), [bytes(32)])
    tamper(NODE.format(level=1, index=6), [bytes(32)])
    with pytest.raises(CommandError, match="rangs 13 à 14\\) : ne correspond plus"):
        run("verify_audit")


@pytest.mark.postgresql
def test_the_database_names_the_levels_that_do_not_hold(db):
    record_events(16)
    assert verification._levels_not_holding(16)([1, 2, 3, 4]) == set()
    tamper(NODE.format(level=2, index=1), [bytes(32)])
    tamper('DELETE FROM audit_treenode WHERE level = 4 AND "index" = 0', [])
    assert verification._levels_not_holding(16)([1, 2, 3, 4]) == {2, 3, 4}  # 3: a child changed; 4: absent
    assert str(tree.check_parents(16, levels=verification._levels_not_holding(16))) == str(tree.check_parents(16))


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_ranges_checked_in_parallel_name_the_first_problem_of_the_last_range():
    events = record_events(40)
    assert verified().verified == 40
    event = events[29]
    tamper("UPDATE audit_event SET object_id = 'falsifié' WHERE id = %s", [event.pk])
    result = verification.verify()
    assert (result.broken.event_id, result.broken.seq, result.verified) == (event.pk, 30, 29)
    assert "contenu modifié" in result.broken.reason


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_ranges_checked_in_parallel_name_a_gap_and_a_wrong_leaf():
    events = record_events(40)
    tamper('UPDATE audit_treenode SET hash = %s WHERE level = 0 AND "index" = 35', [bytes(32)])
    assert str(verification.verify().broken).endswith("feuille de rang 36 de l'arbre de Merkle : ne correspond plus "
                                                      "à l'événement (empreinte modifiée)")
    tamper("DELETE FROM audit_seal WHERE seq = 31", [])
    tamper("DELETE FROM audit_event WHERE id = %s", [events[30].pk])
    assert str(verification.verify().broken) == (f"événement #{events[31].pk} (rang 32) : "
                                                 f"{chain.gap(30, 32)}")


@pytest.mark.postgresql
def test_an_incremental_check_still_finds_an_event_written_around_the_recorder(db):
    record_events(5)
    checked = verified()
    record_events(3)
    tamper("INSERT INTO audit_event (time, actor_label, actor_role, actor_cell, request_id, action, object_type, "
           "object_id, departement, details, txid) "
           "VALUES (CURRENT_TIMESTAMP, '', '', '', '', 'test.falsifie', '', '', '93', '{}', NULL)", [])
    result = verification.verify(checked.last_seq + 1, checked.last_seq, checked.last_hash)
    assert result.broken.event_id == Event.objects.get(action="test.falsifie").pk
    assert "jamais scellé" in result.broken.reason
