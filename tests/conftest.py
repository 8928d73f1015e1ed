"""Shared fixtures: fast passwords, personas per role, PostgreSQL-only tests, the audit trigger, the
application's database role."""

import uuid
from collections import Counter
from contextlib import contextmanager, nullcontext
from importlib import import_module
from types import SimpleNamespace

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.models import Model
from django.test import TransactionTestCase, override_settings

from organisation import policy
from organisation.departements import territories
from organisation.models import Departement
from tests.organisation.factories import CellFactory, MandateFactory, MembershipFactory, UserFactory

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
PASSWORD = "mot-de-passe-de-test"


def pytest_configure(config):
    config.addinivalue_line("markers", "markup: reads only a page's markup or words (run once, on SQLite)")


def pytest_collection_modifyitems(config, items):
    """PostgreSQL's own tests skip on SQLite; the real browser's run once, on SQLite (the embedded default
    the demo runs on): what a page shows in Chromium does not depend on the database, which the HTTP tests
    of the same pages exercise on both, and CI's run stays short. So do the walks that only read a page's
    markup or words (``markup``: its ids and labels, its French), which its template makes: the same pages,
    opened by the same roles on the same data, answer on PostgreSQL in the form walk and the audit coverage's
    tests, which post, count the reads and check each answer."""
    skip = pytest.mark.skip(reason="nécessite PostgreSQL (DATABASE_URL=postgresql://…)")
    once = pytest.mark.skip(reason="navigateur : lancé une fois, sur SQLite")
    markup = pytest.mark.skip(reason="balisage et mots des pages : lus une fois, sur SQLite")
    for item in items:
        if "postgresql" in item.keywords and not ON_POSTGRESQL:
            item.add_marker(skip)
        elif "browser" in item.keywords and ON_POSTGRESQL:
            item.add_marker(once)
        elif "markup" in item.keywords and ON_POSTGRESQL:
            item.add_marker(markup)
    # pytest-xdist hands each worker a module at a time, in this order (``make test``: --dist loadfile
    # --no-loadscope-reorder): the longest first, so that no worker is left alone with one at the end.
    count = Counter(item.nodeid.split("::")[0] for item in items)
    items.sort(key=lambda item: (LONGEST.get(item.nodeid.split("::")[0], len(LONGEST)),
                                 -count[item.nodeid.split("::")[0]]))


# The modules that take longest (seconds of CI, measured), by far more than their number of tests says;
# the others follow by their number of tests. A module missing here only costs time, never a result.
LONGEST = {module: rank for rank, module in enumerate([
    "tests/project/test_bench_scripts.py",  # PostgreSQL only: subprocesses, servers
    "tests/project/test_refusal_walk.py",
    "tests/project/test_form_walk.py",
    "tests/cases/test_bad_input.py",
    "tests/mobile_team/test_mobile_team.py",
    "tests/project/test_file_reads.py",
    "tests/project/test_demo_story.py",
    "tests/project/test_page_ids.py",
    "tests/cases/test_case_pages.py",
    "tests/cases/test_transitions.py",
    "tests/workflows/test_notifications.py",
    "tests/project/test_audit_coverage.py",
])}


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """For the whole session, so that the data modules build once (personas, the demo) is not hashed with
    the product's Argon2 (a fifth of a second of CPU per account) either."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _second_factor_given(settings):
    """The tests of other concerns sign in with the password alone; tests/project/test_second_factor.py
    turns the second factor back on, as it always is outside the tests."""
    settings.SECOND_FACTOR_REQUIRED = False


@pytest.fixture(autouse=True)
def _mail_sent_at_commit_when_asked(settings):
    """A test's commit callbacks run only when it asks for them (``django_capture_on_commit_callbacks
    (execute=True)``): then its requests' e-mails are sent at their commit, as a command's are.
    tests/outbox/test_after_response.py turns this off, as it always is outside the tests."""
    settings.OUTBOX_SEND_IN_REQUEST = True


# Transactional tests end with a flush, i.e. a TRUNCATE of every table, which the audit trail's
# trigger refuses by design. The test database's superuser lifts triggers for that flush only,
# the way PostgreSQL replication does (session_replication_role needs superuser rights, which
# the application's own database role does not have).
_fixture_teardown = TransactionTestCase._fixture_teardown


def _fixture_teardown_with_triggers_lifted(self):
    if connection.vendor != "postgresql":
        _fixture_teardown(self)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            _fixture_teardown(self)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
    # The flush also emptied what the migrations loaded; with pytest-xdist a module of ordinary
    # tests may come next on this worker, and they expect the 101 départements, the six collectivités and version 1
    # of the charter.
    Departement.objects.bulk_create([Departement(**row) for row in territories()])
    import_module("charter.migrations.0002_version_1").publish_version_1(apps, None)


TransactionTestCase._fixture_teardown = _fixture_teardown_with_triggers_lifted


@pytest.fixture(scope="session", autouse=True)
def _attachments_in_a_temporary_directory(tmp_path_factory):
    """Notes' attachments written by the tests go to a directory of their own, not var/."""
    with override_settings(ATTACHMENTS_ROOT=tmp_path_factory.mktemp("attachments")):
        yield


@pytest.fixture(scope="session", autouse=True)
def _sessions_cache_of_the_run(tmp_path_factory):
    """The sessions' cache (``SESSION_CACHE_DIR``, the demo's, which ``make test`` runs with) in a directory
    of this run's, not var/: neither another run nor the other test process reads or grows it."""
    if "LOCATION" not in settings.CACHES["sessions"]:
        yield
        return
    directory = str(tmp_path_factory.mktemp("sessions"))
    with override_settings(SESSION_CACHE_DIR=directory, CACHES={
            **settings.CACHES, "sessions": {**settings.CACHES["sessions"], "LOCATION": directory}}):
        yield


@pytest.fixture(autouse=True)
def _sessions_cache_emptied(_sessions_cache_of_the_run):
    """Each test's sessions leave the cache with it, as their rows leave the database: the file cache lists
    its whole directory at each write (to cull it), which would otherwise grow with the run."""
    yield
    caches["sessions"].clear()


@pytest.fixture
def run_queue():
    """Send what the e-mail queue holds, as its worker would (outbox); returns how many tasks ran."""
    from outbox.queue import run_due

    return run_due


def build_personas() -> SimpleNamespace:
    """One user per role in two départements (93 and 69), plus an outsider with no membership."""
    cell_a, cell_b = CellFactory(departement__code="93"), CellFactory(departement__code="69")
    people = SimpleNamespace(cell_a=cell_a, cell_b=cell_b)
    for name, kwargs in {
        "coord_a": {"cell": cell_a, "coordinator": True},
        "member_a": {"cell": cell_a},
        "coord_b": {"cell": cell_b, "coordinator": True},
        "member_b": {"cell": cell_b},
        "mobile": {"mobile_team": True},
        "inspector": {"inspector": True},
        "national": {"national": True},
        "admin": {"admin": True},
        "former": {"cell": cell_a, "ended": True},
    }.items():
        # Fixed names: a random one can hide in a page's other words ("Martin" in "Martinique") or be
        # one a test forbids on a page ("Lucas", the young person's first name in some tests).
        label = name.replace("_", "-").capitalize()
        setattr(people, name, MembershipFactory(user__username=name, user__first_name=f"Prénom-{label}",
                                                user__last_name=f"Nom-{label}", **kwargs).user)
    people.mandate = MandateFactory(inspector=people.inspector, departements=["93"])
    people.outsider = UserFactory(username="outsider")
    return people


@contextmanager
def built_once(django_db_blocker):
    """Data built once for a whole test module: each test sees it and its own changes roll back
    with the test (pytest-django wraps each test in a savepoint inside this transaction); the
    data itself rolls back when the module ends. For modules whose tests are not transactional."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _personas_of_the_module(request):
    """The personas of a module that says ``PERSONAS_BUILT_ONCE = True``, built once in a transaction
    that stays open for the whole module (``built_once``): a module of ordinary tests only (a
    transactional one would commit inside it, then flush), none of which needs personas of its own.
    Autouse and module-scoped, it is set up before any test's function-scoped ``db``, whose transaction
    is then a savepoint inside this one."""
    if not getattr(request.module, "PERSONAS_BUILT_ONCE", False):
        yield None
        return
    request.getfixturevalue("django_db_setup")
    with built_once(request.getfixturevalue("django_db_blocker")):
        yield build_personas()


def afresh(people: SimpleNamespace) -> SimpleNamespace:
    """The same rows, read again as new objects: nothing a previous test left on a shared object (the
    policy's scope, ``last_login`` set by a sign-in, a field changed then rolled back) reaches the next."""
    pks: dict[type[Model], list] = {}
    for value in vars(people).values():
        if isinstance(value, Model):
            pks.setdefault(type(value), []).append(value.pk)
    read = {model: model._base_manager.in_bulk(keys) for model, keys in pks.items()}
    return SimpleNamespace(**{name: read[type(value)][value.pk] if isinstance(value, Model) else value
                              for name, value in vars(people).items()})


@pytest.fixture
def personas(_personas_of_the_module, db):
    """Built for the test, or the module's (``PERSONAS_BUILT_ONCE``) as new objects."""
    if _personas_of_the_module is None:
        return build_personas()
    return afresh(_personas_of_the_module)


def forget_cached_rights(people: SimpleNamespace) -> None:
    """What the policy cached on shared user objects may have been computed in another test."""
    for value in vars(people).values():
        if isinstance(value, User):
            policy.forget(value)


class RuntimeRole:
    """The application's PostgreSQL role as a deployment makes it (docs/security.md): it logs in, owns
    nothing, and receives its rights when ``migrate`` ends. ``with role:`` runs the block's queries of
    the test's own connection as that role (``SET ROLE``); ``connect()`` opens a second session as it,
    for the tests that need two (``transaction=True``: the role must be committed to be seen)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> "RuntimeRole":
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {self.name}")
        return self

    def __exit__(self, *exc) -> None:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    def connect(self, **kwargs) -> psycopg.Connection:
        params = connection.settings_dict
        return psycopg.connect(host=params["HOST"], port=params["PORT"] or 5432, dbname=params["NAME"],
                               user=self.name, autocommit=True, **kwargs)


@pytest.fixture
def runtime_role(db, settings) -> RuntimeRole:
    """A fresh runtime role (``DATABASE_RUNTIME_ROLE``), its rights given as after each ``migrate``. In an
    ordinary test it goes with the test's transaction; in a transactional one it is dropped at the end."""
    role = RuntimeRole(f"cellule_runtime_{uuid.uuid4().hex[:8]}")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role.name} LOGIN")
    settings.DATABASE_RUNTIME_ROLE = role.name
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # what migrate sends at its end
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role.name])
        if cursor.fetchone():
            cursor.execute(f"DROP OWNED BY {role.name}")
            cursor.execute(f"DROP ROLE {role.name}")


@pytest.fixture
def intruder(request):
    """Whoever may append to the trail without holding the application's keys: on PostgreSQL the
    application's role (``with intruder:``), on SQLite, which has no roles, anyone with the file."""
    return request.getfixturevalue("runtime_role") if ON_POSTGRESQL else nullcontext()
