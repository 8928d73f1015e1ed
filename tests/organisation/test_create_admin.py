"""The first administrator of an installation, and no superuser ever."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from audit.models import Event
from organisation.models import Membership, Role


def create_admin(**options) -> str:
    out = StringIO()
    values = {"username": "premier", "email": "premier@interieur.gouv.fr", "first_name": "Anne",
              "last_name": "Durand", **options}
    call_command("create_admin", *[f"--{key.replace('_', '-')}={value}" for key, value in values.items()], stdout=out)
    return out.getvalue()


def test_the_first_administrator_is_created_recorded_and_chooses_a_password(db, settings):
    settings.DEMO = False
    output = create_admin()
    user = User.objects.get(username="premier")
    assert not user.has_usable_password() and not user.is_superuser and not user.is_staff
    assert "/mot-de-passe/" in output
    assert Membership.objects.get(user=user).role == Role.ADMIN
    events = Event.objects.filter(actor_label="create_admin").values_list("action", flat=True)
    assert {"user.create", "membership.create"} <= set(events)


def test_a_second_administrator_comes_from_the_first_not_the_command(db):
    create_admin()
    with pytest.raises(CommandError, match="Un administrateur existe déjà"):
        create_admin(username="second", email="second@interieur.gouv.fr")
    assert not User.objects.filter(username="second").exists()


@pytest.mark.parametrize("options,message", [
    ({"email": "pas-un-courriel"}, "email"),
    ({"username": "a b c"}, "username"),
])
def test_a_wrong_account_is_refused_in_french_and_nothing_is_left(db, options, message):
    with pytest.raises(CommandError, match=f"Compte refusé .*{message}"):
        create_admin(**options)
    assert not User.objects.exists() and not Event.objects.filter(action="user.create").exists()


def test_no_account_is_ever_saved_as_superuser(db):
    with pytest.raises(PermissionDenied, match="create_admin"):
        User.objects.create_superuser("racine", "racine@example.invalid", "mot-de-passe-tres-long")
    with pytest.raises(PermissionDenied):
        call_command("createsuperuser", "--noinput", "--username=racine", "--email=racine@example.invalid")
    assert not User.objects.filter(username="racine").exists()


def test_the_first_national_officer_comes_from_the_operator_the_next_from_them(db):
    """The technical administrator never gives the national role: the operator makes the first officer."""
    out = StringIO()
    call_command("create_national", "--username=h.roux", "--email=helene.roux@interieur.gouv.fr",
                 "--first-name=Hélène", "--last-name=Roux", stdout=out)
    assert "Membre du niveau national « h.roux » créé" in out.getvalue() and "/mot-de-passe/" in out.getvalue()
    assert Membership.objects.get(user__username="h.roux").role == Role.NATIONAL
    with pytest.raises(CommandError, match="Un membre du niveau national existe déjà"):
        call_command("create_national", "--username=second", "--email=second@interieur.gouv.fr",
                     "--first-name=A", "--last-name=B", stdout=StringIO())
    assert not User.objects.filter(username="second").exists()
