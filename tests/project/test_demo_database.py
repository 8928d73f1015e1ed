"""`make demo` rebuilds a demo database left by the layout before the apps were split (one initial migration each)."""

import sqlite3

import pytest
from django.core.management import CommandError, call_command

from organisation.models import Departement

# What a demo database made before the split records: the cases app's four migrations.
OLD_LAYOUT = [("cases", "0001_initial"), ("cases", "0002_departements_and_roles"),
              ("cases", "0003_historicalmembership_contacts_families_and_more"), ("cases", "0004_cellule_life"),
              ("workflows", "0001_initial"), ("audit", "0001_initial")]
NEW_LAYOUT = [("organisation", "0001_initial"), ("organisation", "0002_departements"), ("cases", "0001_initial"),
              ("workflows", "0001_initial"), ("audit", "0002_append_only_triggers")]


def demo_file(tmp_path, migrations):
    path = tmp_path / "demo.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE django_migrations (id integer primary key, app text, name text, applied text)")
        db.executemany("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-11-01')", migrations)
        db.execute("CREATE TABLE cases_cell (id integer primary key)")  # a table of the old layout
    return path


def test_a_demo_database_of_the_old_layout_is_deleted_to_be_rebuilt(tmp_path, settings, capsys):
    settings.DEMO = True
    path = demo_file(tmp_path, OLD_LAYOUT)
    call_command("reset_stale_demo", database=str(path))
    assert not path.exists()
    assert "3 migrations qui n'existent plus" in capsys.readouterr().out


def test_a_demo_database_of_the_current_layout_is_kept(tmp_path, settings, capsys):
    settings.DEMO = True
    path = demo_file(tmp_path, NEW_LAYOUT)
    call_command("reset_stale_demo", database=str(path))
    assert path.exists()
    assert "à jour" in capsys.readouterr().out
    call_command("reset_stale_demo", database=str(tmp_path / "absent.sqlite3"))
    assert "va être créée" in capsys.readouterr().out


def test_outside_demo_mode_nothing_is_deleted(tmp_path, settings):
    settings.DEMO = False
    path = demo_file(tmp_path, OLD_LAYOUT)
    with pytest.raises(CommandError, match="mode démonstration"):
        call_command("reset_stale_demo", database=str(path))
    assert path.exists()


@pytest.mark.postgresql
@pytest.mark.django_db
def test_a_postgresql_database_is_never_rebuilt(settings, capsys):
    settings.DEMO = True
    call_command("reset_stale_demo")  # make demo goes on: migrate says what it thinks of the database
    assert "n'est pas touchée" in capsys.readouterr().out
    assert Departement.objects.count() == 107  # the 101 départements and the six collectivités
