"""The confidentiality charter: whoever reads names accepts its current version before any nominative page,
and again at each new version; the acceptance is recorded and listed for the cellule's coordinators and
the inspection."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.http import urlencode

from audit.models import Event
from charter import actions
from charter.models import Acceptance, Version
from organisation import policy
from organisation.policy import SYSTEM
from tests.cases.factories import CaseFactory
from tests.organisation.factories import MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

pytestmark = pytest.mark.django_db
ACCEPTED = {"version": "1", "read": "on"}


def newcomer(**traits):
    """A person who has just been given their role, and has not accepted the charter yet."""
    return MembershipFactory(charter_accepted=False, **traits).user


def test_version_1_is_published_by_the_migrations_and_names_the_law():
    version = Version.objects.current()
    assert version.number == 1
    assert "L.\u00a0121-6-2" in version.text and "226-13" in version.text and "15\u202f000 euros" in version.text
    assert ("besoin d'en connaître" in version.text.lower()) and "tiers" in version.text


@pytest.mark.parametrize("traits", [{"coordinator": True}, {}, {"mobile_team": True}, {"inspector": True}])
def test_who_reads_names_is_sent_to_the_charter_before_any_page(client, traits):
    client.force_login(newcomer(**traits))
    for name in ("home", "cases:list", "workflows:inbox", "mobile_team:queue", "search"):
        response = client.get(reverse(name), {"page": 2})
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('charter:page')}?{urlencode({'next': reverse(name) + '?page=2'})}"
    page = client.get(reverse("charter:page"))
    assert page.status_code == 200 and "Accepter la charte" in page.content.decode()
    # What stays open meanwhile: their sessions, the legal pages, signing out.
    for name in ("sessions", "legal:notice", "legal:personal_data"):
        assert client.get(reverse(name)).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302 and "connexion" in client.get(reverse("home"))["Location"]


@pytest.mark.parametrize("traits", [{"national": True}, {"admin": True}])
def test_who_never_sees_a_name_is_not_asked(client, traits):
    user = newcomer(**traits)
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("charter:page")).content.decode()
    assert "nominative\u00a0: cette charte ne vous est pas demandée" in page and "Accepter la charte" not in page
    assert client.post(reverse("charter:page"), ACCEPTED).status_code == 403
    assert not Acceptance.objects.filter(user=user).exists()


def test_accepting_is_recorded_and_leads_where_the_person_was_going(client):
    member = newcomer()
    case = CaseFactory(coordinator=MembershipFactory(coordinator=True).user, referent=member, in_care=True)
    client.force_login(member)
    target = reverse("cases:detail", args=[case.pk])
    assert client.get(target)["Location"].startswith(reverse("charter:page"))
    response = client.post(reverse("charter:page"), {**ACCEPTED, "next": target})
    assert response.status_code == 302 and response["Location"] == target
    acceptance = Acceptance.objects.get(user=member)
    assert acceptance.version.number == 1
    event = Event.objects.get(action="charter.accept")
    assert (event.actor, event.departement, event.details) == (member, "93", {"version": 1})
    assert client.get(target).status_code == 200
    assert "Vous avez accepté cette version" in client.get(reverse("charter:page")).content.decode()


def test_an_inspector_accepts_though_they_post_nothing_else(client):
    inspector = newcomer(inspector=True)
    client.force_login(inspector)
    assert client.post(reverse("charter:page"), {**ACCEPTED, "next": "https://ailleurs.example/"})["Location"] == "/"
    assert Acceptance.objects.filter(user=inspector).exists()


def test_the_box_not_ticked_says_so_and_records_nothing(client):
    member = newcomer()
    client.force_login(member)
    response = client.post(reverse("charter:page"), {"version": "1"})
    assert response.status_code == 400
    assert "Cochez la case pour accepter la charte." in response.content.decode()
    assert not Acceptance.objects.filter(user=member).exists() and not Event.objects.filter(action="charter.accept")


def test_a_version_published_while_the_page_was_open_is_read_first(client, tmp_path):
    member = newcomer()
    client.force_login(member)
    client.get(reverse("charter:page"))
    file = tmp_path / "charte.txt"
    file.write_text("## 1. Le cadre\n\nUn texte revu.", encoding="utf-8")
    call_command("publish_charter", str(file), stdout=StringIO())
    response = client.post(reverse("charter:page"), ACCEPTED)  # version 1, as the page showed it
    assert response.status_code == 400 and "lisez sa nouvelle version" in response.content.decode()
    assert "Un texte revu." in response.content.decode() and not Acceptance.objects.filter(user=member).exists()


def test_a_new_version_makes_everyone_accept_again(client, tmp_path, personas):
    client.force_login(personas.member_a)
    assert client.get(reverse("cases:list")).status_code == 200  # the personas accepted version 1
    file = tmp_path / "charte.txt"
    file.write_text("## 1. Le cadre\n\nVersion revue après l'avis de la CNIL.\n", encoding="utf-8")
    out = StringIO()
    call_command("publish_charter", str(file), stdout=out)
    assert "Version 2 de la charte publiée" in out.getvalue()
    assert Event.objects.filter(action="charter.publish", details={"version": 2}).exists()
    with time_machine.travel(datetime.timedelta(seconds=61)):  # an open session checks once a minute
        assert client.get(reverse("cases:list"))["Location"].startswith(reverse("charter:page"))
        page = client.get(reverse("charter:page")).content.decode()
        assert "Version 2 du" in page and "<h2" in page
        assert client.post(reverse("charter:page"), {"version": "2", "read": "on"}).status_code == 302
        assert client.get(reverse("cases:list")).status_code == 200
        client.force_login(personas.admin)  # not asked, at any version
        assert client.get(reverse("home")).status_code == 200


def test_only_the_technical_administration_publishes(personas, tmp_path):
    with pytest.raises(policy.AccessDenied):
        actions.publish_version(personas.coord_a, "Une charte à moi.")
    assert actions.publish_version(personas.admin, "Texte nouveau.").number == 2
    empty, same = tmp_path / "vide.txt", tmp_path / "meme.txt"
    empty.write_text("  \n", encoding="utf-8")
    same.write_text("Texte nouveau.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Le texte de la charte est vide. Rien n'a été publié."):
        call_command("publish_charter", str(empty))
    with pytest.raises(CommandError, match="déjà celui de la version 2"):
        call_command("publish_charter", str(same))
    with pytest.raises(CommandError, match="Impossible de lire"):
        call_command("publish_charter", str(tmp_path / "absent.txt"))
    assert Version.objects.count() == 2
    actions.publish_version(SYSTEM, "Texte de la version 3.")  # the operator's command
    assert Version.objects.current().number == 3


def test_coordinators_and_the_inspection_see_who_accepted(client, personas):
    late = MembershipFactory(cell=personas.cell_a, charter_accepted=False, user__first_name="Inès",
                             user__last_name="Tardive").user
    url = reverse("charter:acceptances", args=["93"])
    for reader in (personas.coord_a, personas.inspector):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200
        rows = {m.user: a for m, a in response.context["rows"]}
        assert rows[late] is None and rows[personas.member_a].version.number == 1
        text = response.content.decode()
        assert "Pas encore acceptée" in text and "Prénom-Member-a" in text
        assert "2 membres sur 3 l'ont acceptée" in text
        event = Event.objects.filter(action="charter.acceptances_view").latest("pk")
        assert (event.actor, event.departement) == (reader, "93")
    assert client.post(url).status_code == 403  # the inspection reads only
    for outsider in (personas.member_a, personas.coord_b, personas.national, personas.admin, personas.mobile):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_a_member_who_accepted_an_older_version_is_shown_to_accept_again(client, personas):
    actions.publish_version(SYSTEM, "Version 2.")
    client.force_login(personas.coord_a)
    actions.accept_charter(personas.coord_a, 2)
    response = client.get(reverse("charter:acceptances", args=["93"]))
    assert "À accepter de nouveau" in response.content.decode()
    assert response.context["up_to_date"] == 1
