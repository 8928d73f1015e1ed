"""The process's row, locked with its case by the entry points (``cases.actions.base.lock``), is not
locked again by the tasks' lock (``workflows.flows.ProcessRowLock``) while that transaction lasts, and
is again once the lock may have gone: a savepoint rolled back, a transaction ended."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.actions.base import lock
from tests.cases.factories import CaseFactory
from tests.conftest import build_personas
from workflows import flows


def locks_the_process(process_pk: int) -> bool:
    with CaptureQueriesContext(connection) as queries, flows.CaseFlow.lock(process_pk):
        pass
    return any('FROM "workflows_caseprocess"' in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db(transaction=True)  # transactions that end
def test_the_process_locked_with_its_case_is_locked_once_per_transaction():
    case = CaseFactory(coordinator=build_personas().coord_a)
    with transaction.atomic():
        locked = lock(case)
        assert not locks_the_process(locked.process.pk)
    with transaction.atomic():  # another transaction: the copy locked before holds nothing now
        assert locks_the_process(locked.process.pk)


def test_a_lock_taken_in_a_savepoint_rolled_back_is_taken_again(personas):
    case = CaseFactory(coordinator=personas.coord_a)
    with transaction.atomic():
        with pytest.raises(ValueError), transaction.atomic():
            locked = lock(case)
            raise ValueError  # the database releases the row locks taken since the savepoint
        assert locks_the_process(locked.process.pk)
        with transaction.atomic():  # one released keeps it
            lock(case)
        assert not locks_the_process(locked.process.pk)
