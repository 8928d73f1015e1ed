"""Separation of duties that no chain of accounts can get around: the technical administrator never
holds anyone's credentials, never gets an account back alone, never gives a role that reads cases
nor the national one, and no account ever holds both a steering role and one that reads cases.

Every path is tried through HTTP as the people concerned; the last test chains them as an attacker
holding the administrator's account would.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.changes import snapshot
from audit.models import Event
from organisation import accounts
from organisation import actions as organisation
from organisation.models import AccountRecovery, Membership, Role, SecondFactor
from organisation.policy import AccessDenied
from organisation.second_factor import enrol, new_secret
from project import consistency
from tests.cases.factories import CaseFactory
from tests.organisation.factories import InstitutionFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate().isoformat()


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def ask(admin: Client, user, kind: str, reason: str = "Téléphone perdu, signalé le 3 mars."):
    return admin.post(reverse("account_recoveries"), {"account": user.username, "kind": kind, "reason": reason})


def to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_the_admin_never_types_a_password(personas, django_capture_on_commit_callbacks):
    admin = signed_in(personas.admin)
    add = admin.get(reverse("account_create")).content.decode()
    assert 'type="password"' not in add
    with django_capture_on_commit_callbacks(execute=True):
        created = admin.post(reverse("account_create"), {
            "username": "iroy", "first_name": "Inès", "last_name": "Roy", "email": "ines.roy@example.invalid",
            "password1": "choisi-par-l-admin-42", "password2": "choisi-par-l-admin-42", "usable_password": "true"})
    assert created.status_code == 302
    account = User.objects.get(username="iroy")
    assert not account.has_usable_password()  # what the admin typed is ignored
    [invitation] = to("ines.roy@example.invalid")
    assert re.search(r"/mot-de-passe/\S+/\S+/", invitation.body)
    assert Event.objects.get(action="user.create").actor == personas.admin
    for page in ("account_detail", "account_edit"):
        change = admin.get(reverse(page, args=[account.pk])).content.decode()
        assert 'type="password"' not in change and "argon2" not in change.lower() and "/password/" not in change
    # Django's own page to set another's password is gone: the address leads to no form, and a post changes nothing.
    url = f"/admin/auth/user/{personas.member_a.pk}/password/"
    assert 'type="password"' not in admin.get(url, follow=True).content.decode()
    admin.post(url, {"password1": "choisi-par-l-admin-42", "password2": "choisi-par-l-admin-42"}, follow=True)
    assert not User.objects.get(pk=personas.member_a.pk).check_password("choisi-par-l-admin-42")


def test_one_active_account_per_address(personas):
    admin = signed_in(personas.admin)
    refused = admin.post(reverse("account_create"), {
        "username": "double", "first_name": "A", "last_name": "B", "email": personas.coord_a.email.upper()})
    assert refused.status_code == 400 and "Un autre compte actif a déjà cette adresse." in refused.content.decode()
    assert not User.objects.filter(username="double").exists()


def test_a_changed_address_is_told_to_the_previous_one(personas, django_capture_on_commit_callbacks):
    admin, member = signed_in(personas.admin), personas.member_a
    previous = member.email
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("account_edit", args=[member.pk]), {
            "username": member.username, "first_name": member.first_name, "last_name": member.last_name,
            "email": "autre.adresse@example.invalid"})
    assert User.objects.get(pk=member.pk).email == "autre.adresse@example.invalid"
    [notice] = to(previous)
    assert "a été remplacée par l'administration technique" in notice.body


def test_a_lost_second_factor_is_reset_only_once_a_second_person_approves(
        personas, django_capture_on_commit_callbacks):
    enrol(personas.member_a, new_secret(), 1)
    admin = signed_in(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(admin, personas.member_a, "second_factor").status_code == 302
    recovery = AccountRecovery.objects.get()
    assert SecondFactor.objects.filter(user=personas.member_a).exists()  # nothing happened yet
    assert "ne prendra effet qu'une fois approuvée" in to(personas.member_a.email)[0].body  # the holder is told
    assert to(personas.coord_a.email)  # the holder's coordinator is asked to decide
    decide = reverse("decide_recovery", args=[recovery.pk])
    # Neither the one who asked, nor the holder, nor another département's coordinator decides.
    for name in ("admin", "member_a", "coord_b", "mobile", "inspector", "former", "outsider"):
        answer = signed_in(getattr(personas, name)).post(decide, {"decision": "approve"})
        # An inspector posts nothing anywhere: refused (403) before any lookup.
        assert answer.status_code == (403 if name == "inspector" else 404), name
    assert SecondFactor.objects.filter(user=personas.member_a).exists()
    assert ask(admin, personas.member_a, "second_factor").status_code == 400  # one waiting request at a time
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_in(personas.coord_a).post(decide, {"decision": "approve"}).status_code == 302
    assert not SecondFactor.objects.filter(user=personas.member_a).exists()
    reset = Event.objects.get(action="user.second_factor_reset")
    assert (reset.actor, reset.object_id) == (personas.coord_a, str(personas.member_a.pk))
    assert "Votre second facteur a été réinitialisé" in to(personas.member_a.email)[-1].body
    assert signed_in(personas.coord_a).post(decide, {"decision": "approve"}).status_code == 404  # decided once


def test_the_national_level_decides_for_the_accounts_without_a_cellule(personas):
    enrol(personas.inspector, new_secret(), 1)
    ask(signed_in(personas.admin), personas.inspector, "second_factor")
    recovery = AccountRecovery.objects.get()
    assert signed_in(personas.coord_a).post(reverse("decide_recovery", args=[recovery.pk]),
                                            {"decision": "approve"}).status_code == 404
    signed_in(personas.national).post(reverse("decide_recovery", args=[recovery.pk]), {"decision": "refuse"})
    assert AccountRecovery.objects.get().status == AccountRecovery.Status.REFUSED
    assert SecondFactor.objects.filter(user=personas.inspector).exists()  # refused: nothing changed


def test_a_new_password_link_reaches_the_holder_only_once_approved(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(signed_in(personas.admin), personas.member_a, "password", reason="Mot de passe oublié.")
    assert not any("/mot-de-passe/" in message.body for message in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(personas.coord_a).post(reverse("decide_recovery", args=[AccountRecovery.objects.get().pk]),
                                         {"decision": "approve"})
    [link] = [message for message in to(personas.member_a.email) if "/mot-de-passe/" in message.body]
    assert link.to == [personas.member_a.email]


def test_the_approver_sees_that_the_address_changed_before_the_request(personas):
    admin, member = signed_in(personas.admin), personas.member_a
    before = snapshot(member)
    member.email = "attaquant@example.invalid"
    accounts.save_account(personas.admin, member, before)
    ask(admin, member, "password")
    page = signed_in(personas.coord_a).get(reverse("account_recoveries")).content.decode()
    assert "Adresse du compte modifiée le" in page


def test_nobody_asks_for_their_own_account_and_only_the_admin_asks(personas):
    assert ask(signed_in(personas.admin), personas.admin, "password").status_code == 400
    for name in ("coord_a", "national"):
        assert ask(signed_in(getattr(personas, name)), personas.member_a, "password").status_code == 403
    assert not AccountRecovery.objects.exists()


# (giver, holder, role): a steering account never gets a role that reads cases, nor the reverse.
CROSSINGS = [("coord_a", "admin", Role.MEMBER), ("coord_a", "national", Role.MEMBER),
             ("national", "admin", Role.COORDINATOR), ("national", "admin", Role.INSPECTOR),
             ("national", "admin", Role.MOBILE_TEAM), ("admin", "former", Role.ADMIN),
             ("national", "member_b", Role.NATIONAL)]


@pytest.mark.parametrize("giver,holder,role", CROSSINGS)
def test_no_account_holds_a_steering_role_and_one_that_reads_cases(personas, giver, holder, role):
    user = getattr(personas, holder)
    membership = Membership(user=user, cell=personas.cell_a if role in Role.cell_roles() else None,
                            institution=InstitutionFactory(), function="Chargée de mission", role=role,
                            starts_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        organisation.save_membership(getattr(personas, giver), membership)
    assert "role" in refused.value.message_dict and "compte distinct" in " ".join(refused.value.messages)
    assert not user.memberships.filter(role=role).exists()


@pytest.mark.parametrize("holder", ["admin", "national"])
def test_a_coordinator_cannot_add_the_admin_or_the_national_officer_to_the_cellule(personas, holder):
    coordinator = signed_in(personas.coord_a)
    refused = coordinator.post(reverse("cell_detail", args=["93"]), {
        "add": "", "email": getattr(personas, holder).email, "institution": InstitutionFactory().pk,
        "function": "Conseiller", "role": "member", "starts_on": TODAY})
    assert refused.status_code == 400 and "compte distinct" in refused.content.decode()
    assert not Membership.objects.filter(user=getattr(personas, holder), role=Role.MEMBER).exists()


def test_the_national_level_names_its_officers_the_mobile_team_and_the_inspection(personas):
    national = signed_in(personas.national)
    agent = User.objects.create(username="agent", email="agent@example.invalid", first_name="Élodie",
                                last_name="Petit")
    home = InstitutionFactory(name="Prestataire national", category="national_provider", departement=None)
    named = national.post(reverse("national_roles"), {
        "add": "", "email": "agent@example.invalid", "institution": home.pk, "function": "Psychologue",
        "role": "mobile_team", "starts_on": TODAY})
    assert named.status_code == 302
    membership = Membership.objects.get(user=agent)
    assert membership.role == Role.MOBILE_TEAM
    page = national.get(reverse("national_roles")).content.decode()
    assert "Élodie Petit" in page and 'value="coordinator"' not in page and 'value="admin"' not in page
    ended = national.post(reverse("national_roles"), {"end": "", "membership": membership.pk, "ends_on": TODAY,
                                                      "confirm": "on"})
    assert ended.status_code == 302 and not Membership.objects.active().filter(user=agent).exists()
    for name in ("admin", "coord_a", "inspector"):
        assert signed_in(getattr(personas, name)).get(reverse("national_roles")).status_code == 403


def test_the_administrator_alone_reaches_no_case_by_any_chain_of_accounts(
        personas, django_capture_on_commit_callbacks):
    """The attacker holds the technical administrator's account (and its mailbox, its phone)."""
    case = CaseFactory(coordinator=personas.coord_a)
    admin = signed_in(personas.admin)
    # (a) Take over the coordinator: no password page; a new link or factor only if someone else approves.
    assert 'type="password"' not in admin.get(f"/admin/auth/user/{personas.coord_a.pk}/password/",
                                              follow=True).content.decode()
    ask(admin, personas.coord_a, "second_factor")
    ask(admin, personas.coord_a, "password")
    for recovery in AccountRecovery.objects.all():
        assert admin.post(reverse("decide_recovery", args=[recovery.pk]), {"decision": "approve"}).status_code == 404
    assert set(AccountRecovery.objects.values_list("status", flat=True)) == {AccountRecovery.Status.PENDING}
    # (b) A puppet at an address the attacker reads, made national, naming the attacker coordinator.
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("account_create"), {"username": "marionnette", "first_name": "Paul",
                                               "last_name": "Martin", "email": "boite.perso@example.invalid"})
    puppet = User.objects.get(username="marionnette")
    given = admin.post(reverse("admin:organisation_membership_add"), {
        "user": puppet.pk, "institution": InstitutionFactory().pk, "function": "CIPDR", "role": "national",
        "starts_on": TODAY})
    assert given.status_code == 200  # the form answers: the role is not one the admin may give
    with pytest.raises(AccessDenied):
        organisation.save_membership(personas.admin, Membership(
            user=puppet, institution=InstitutionFactory(), function="CIPDR", role=Role.NATIONAL,
            starts_on=timezone.localdate()))
    assert not puppet.memberships.exists()
    # Even a real national officer cannot make the administrator a coordinator, nor a coordinator make
    # it a member: the account steers, it never reads.
    for giver, role in (("national", Role.COORDINATOR), ("coord_a", Role.MEMBER)):
        with pytest.raises(ValidationError):  # the message is checked in the tests above
            organisation.save_membership(getattr(personas, giver), Membership(
                user=personas.admin, cell=personas.cell_a, institution=InstitutionFactory(), function="x",
                role=role, starts_on=timezone.localdate()))
    # Whatever it tried, neither the administrator nor its puppet opens the case.
    for user in (personas.admin, puppet):
        assert signed_in(user).get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_check_consistency_names_an_account_that_held_both_before_the_rule(personas):
    """An instance upgraded from a version without the rule may hold such an account: the operator is
    told which (docs/releases.md)."""
    Membership.objects.create(user=personas.admin, cell=personas.cell_a, institution=InstitutionFactory(),
                              function="Ancien membre", role=Role.MEMBER, starts_on=datetime.date(2025, 1, 1))
    found = {label: examples for label, count, examples in consistency.run() if count}
    assert found["aucun compte n'a à la fois un rôle d'administration ou national et un rôle qui ouvre les "
                 "signalements"] == ["admin"]
