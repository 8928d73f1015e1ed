"""The cellule's composition: coordinators add, invite and end members; exports and history."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from organisation.models import Membership
from tests.organisation.factories import InstitutionFactory, UserFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


@pytest.fixture
def institution(db):
    return InstitutionFactory(name="Mission locale", category="association")


def test_a_coordinator_adds_an_existing_user(client, personas, institution):
    newcomer = UserFactory(username="newcomer", email="Nouvelle.Venue@example.invalid")
    client.force_login(personas.coord_a)
    fields = {"add": "", "institution": institution.pk, "function": "Conseillère", "role": "member",
              "starts_on": timezone.localdate().isoformat()}
    page = client.get(reverse("cell_detail", args=["93"])).content.decode()
    assert newcomer.get_full_name() not in page  # no list of every user of the country to pick from
    for unknown, message in [("personne@example.invalid", "Aucun compte actif"), ("Nouvelle", "adresse")]:
        refused = client.post(reverse("cell_detail", args=["93"]), {**fields, "email": unknown})
        assert refused.status_code == 400 and message in refused.content.decode()
    client.post(reverse("cell_detail", args=["93"]), {**fields, "email": "nouvelle.venue@example.invalid"})
    membership = Membership.objects.get(user=newcomer)
    assert (membership.cell, membership.role) == (personas.cell_a, "member")
    assert newcomer.get_full_name() in client.get(reverse("cell_detail", args=["93"])).content.decode()


def test_an_invited_person_chooses_a_password_and_signs_in(client, personas, institution,
                                                          django_capture_on_commit_callbacks):
    client.force_login(personas.coord_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cell_detail", args=["93"]), {
            "invite": "", "first_name": "Inès", "last_name": "Roy", "email": "ines.roy@example.invalid",
            "username": "iroy", "institution": institution.pk, "function": "Médiatrice", "role": "member",
            "starts_on": timezone.localdate().isoformat()})
    [message] = mail.outbox
    link = re.search(r"http://[^/]+(/mot-de-passe/\S+/)", message.body).group(1)
    visitor = Client()
    form = visitor.get(link, follow=True)
    set_password = form.redirect_chain[-1][0] if form.redirect_chain else link
    visitor.post(set_password, {"new_password1": "une-phrase-solide-42", "new_password2": "une-phrase-solide-42"})
    signed_in = visitor.post(reverse("login"), {"username": "iroy", "password": "une-phrase-solide-42"})
    assert signed_in.status_code == 302 and visitor.get(reverse("home")).wsgi_request.user.username == "iroy"
    assert Event.objects.filter(action="user.invite", actor=personas.coord_a).count() == 1
    chosen = Event.objects.get(action="user.password_set")
    assert chosen.actor.username == "iroy" and "une-phrase" not in str(chosen.details)


def test_ending_a_membership_keeps_it_in_the_history(client, personas):
    client.force_login(personas.coord_a)
    membership = personas.member_a.memberships.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    url, ending = reverse("cell_detail", args=["93"]), {"end": "", "membership": membership.pk,
                                                         "ends_on": yesterday.isoformat()}
    form = client.get(url).content.decode().split('name="membership"')[1].split("</select>")[0]
    assert '<option value="">— choisir —</option>' in form and "selected" not in form  # nobody chosen for them
    unconfirmed = client.post(url, ending)
    assert unconfirmed.status_code == 400 and "Cochez la case pour confirmer la fin" in unconfirmed.content.decode()
    membership.refresh_from_db()
    assert membership.ends_on is None
    nobody = client.post(url, {**ending, "membership": "", "confirm": "on"})
    assert nobody.status_code == 400 and "Choisissez le membre" in nobody.content.decode()
    client.post(url, {**ending, "confirm": "on"})
    membership.refresh_from_db()
    assert membership.ends_on == yesterday and membership.history.count() == 2
    page = client.get(reverse("cell_detail", args=["93"])).content.decode()
    assert "Anciens membres" in page and personas.member_a.get_full_name() in page.split("Anciens membres")[1]


@pytest.mark.parametrize("name", ["member_a", "coord_b"])
def test_others_cannot_change_the_composition(client, personas, institution, name):
    client.force_login(getattr(personas, name))
    response = client.post(reverse("cell_detail", args=["93"]), {
        "end": "", "membership": personas.coord_a.memberships.get().pk, "ends_on": "2026-01-01", "confirm": "on"})
    # A member reads the composition and may not change it (403); another département's is hidden (404).
    assert response.status_code == (403 if name == "member_a" else 404)
    assert personas.coord_a.memberships.get().ends_on is None


def test_bad_input_changes_nothing(client, personas, institution):
    client.force_login(personas.coord_a)
    response = client.post(reverse("cell_detail", args=["93"]), {
        "invite": "", "first_name": "", "last_name": "Roy", "email": "pas-un-courriel", "username": "x" * 151,
        "institution": "abc", "function": "", "role": "national", "starts_on": "2026-02-30"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce champ est obligatoire." in page and "Saisissez une adresse de courriel valide." in page
    assert not Membership.objects.filter(function="").exists() and not mail.outbox


def test_the_composition_exports(client, personas):
    client.force_login(personas.coord_a)
    text = client.get(reverse("composition_export", args=["93", "csv"])).content.decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0].startswith("Composition de la cellule 93")
    assert {row[0] for row in rows[2:]} == {personas.coord_a.last_name, personas.member_a.last_name}
    assert client.get(reverse("composition_export", args=["93", "pdf"])).status_code == 404
