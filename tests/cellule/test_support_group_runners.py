"""Support groups as the note of 19 February 2015 says (issue 29, point 5): "soit par l'intermédiaire
d'associations existantes, soit directement avec votre soutien". A group is run by an association of the
département or by the préfecture; the association's facilitator, a member of the cellule, sees the groups
they facilitate and records their own sessions; parents whose child the cellule does not follow are
counted, never named; the monthly report counts the sessions and who took part."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cellule import actions as cellule
from cellule.models import SupportGroup, SupportGroupSession
from organisation import policy
from reporting.exports import rows
from reporting.figures import Month, compute
from tests.cases.factories import CaseFactory, person_data
from tests.organisation.factories import InstitutionFactory, MembershipFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()
LIST = reverse("support_groups:list")


def page(group) -> str:
    return reverse("support_groups:detail", args=[group.pk])


def session(**fields) -> dict:
    """A session's form as the page posts it."""
    return {"add_session": "", "on": TODAY.isoformat(), "other_parents": "0", **fields}


@pytest.fixture
def people(personas):
    """The association Parents en lien, whose agent Inès facilitates its group; Omar, of another association,
    facilitates that one's group. Each follows a family of their own; Lucas's family is member_a's."""
    parents, ecoute = (InstitutionFactory(name=name, category="association", partner=True)
                       for name in ("Association Parents en lien", "Association Écoute 93"))
    ines = MembershipFactory(cell=personas.cell_a, institution=parents, user__username="ines",
                             user__first_name="Inès", user__last_name="Roy")
    omar = MembershipFactory(cell=personas.cell_a, institution=ecoute, user__username="omar")
    group = cellule.create_support_group(personas.coord_a, personas.cell_a, name="Parents du mardi",
                                         institution=parents, facilitator=ines)
    other = cellule.create_support_group(personas.coord_a, personas.cell_a, name="Cercle d'écoute",
                                         institution=ecoute, facilitator=omar)
    return {
        "group": group, "other": other, "ines": ines.user, "omar": omar.user,
        "hers": CaseFactory(coordinator=personas.coord_a, referent=ines.user, assigned=True,
                            person=person_data(last_name="Benali", first_name="Sami")),
        "lucas": CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True),
    }


def test_the_coordinator_creates_a_group_the_prefecture_runs_and_counts_parents_without_a_case(client, personas,
                                                                                               people):
    client.force_login(personas.coord_a)
    response = client.post(LIST, {"create_group": "", "name": "Groupe de la préfecture", "run_by": "prefecture"})
    assert response.status_code == 302
    group = SupportGroup.objects.get(name="Groupe de la préfecture")
    assert (group.run_by, group.institution) == ("prefecture", None)
    assert "Porté par la préfecture" in client.get(LIST).content.decode()
    response = client.post(page(group), session(families=[people["lucas"].pk], other_parents="5"))
    assert response.status_code == 302
    recorded = group.sessions.get()
    assert (list(recorded.families.all()), recorded.other_parents) == ([people["lucas"]], 5)
    event = Event.objects.filter(action="support_session.create").latest("id")
    assert (event.actor, event.details) == (personas.coord_a, {"familles": 1, "autres_parents": 5})
    shown = " ".join(client.get(page(group)).content.decode().split())
    assert f"5 autres parents et 1 famille suivie ({people['lucas'].reference})" in shown


@pytest.mark.parametrize(("fields", "message"), [
    ({"run_by": "association"}, "Choisissez l&#x27;association qui porte le groupe."),
    ({"run_by": "prefecture", "institution": "association"}, "Un groupe porté par la préfecture n&#x27;a pas"),
])
def test_a_group_is_run_by_an_association_or_by_the_prefecture(client, personas, people, fields, message):
    client.force_login(personas.coord_a)
    if fields.get("institution"):
        fields["institution"] = people["group"].institution_id
    response = client.post(LIST, {"create_group": "", "name": "Nouveau groupe", **fields})
    assert response.status_code == 400 and message in response.content.decode()
    assert not SupportGroup.objects.filter(name="Nouveau groupe").exists()


def test_the_facilitator_belongs_to_the_association_that_runs_the_group(personas, people):
    omar = people["omar"].memberships.get()
    with pytest.raises(ValidationError, match="membre de la cellule de Association Parents en lien"):
        cellule.create_support_group(personas.coord_a, personas.cell_a, name="Autre", facilitator=omar,
                                     institution=people["group"].institution)
    with pytest.raises(ValidationError, match="membre de la cellule de la préfecture"):
        cellule.create_support_group(personas.coord_a, personas.cell_a, name="Autre", facilitator=omar,
                                     run_by="prefecture")
    assert not SupportGroup.objects.filter(name="Autre").exists()


def test_the_facilitator_sees_their_group_and_records_its_session(client, personas, people):
    client.force_login(people["ines"])
    groups = client.get(LIST)
    listed = groups.content.decode()
    assert groups.status_code == 200 and "Parents du mardi" in listed and "Cercle d&#x27;écoute" not in listed
    assert f'href="{LIST}"' in listed  # the menu's entry
    assert "Créer le groupe" not in listed
    form = client.get(page(people["group"])).content.decode()
    # The families offered are those she follows: not Lucas's, whose case she may not open.
    assert people["hers"].reference in form and people["lucas"].reference not in form
    response = client.post(page(people["group"]), session(families=[people["hers"].pk], other_parents="3"))
    assert response.status_code == 302
    recorded = people["group"].sessions.get()
    assert (list(recorded.families.all()), recorded.other_parents) == ([people["hers"]], 3)
    assert Event.objects.filter(action="support_session.create").latest("id").actor == people["ines"]


def test_the_facilitator_is_not_told_the_families_she_does_not_follow(client, personas, people):
    cellule.record_support_session(personas.coord_a, people["group"], on=TODAY,
                                   families=[people["hers"], people["lucas"]])
    client.force_login(people["ines"])
    shown = " ".join(client.get(page(people["group"])).content.decode().split())
    assert people["lucas"].reference not in shown
    assert f"2 familles suivies ({people['hers'].reference}, et 1 que vous ne suivez pas)" in shown
    read = Event.objects.filter(action="support_group.view").latest("id")
    assert read.details == {"signalements": [people["hers"].reference], "non consultables": 1}


def test_a_facilitator_names_no_family_she_does_not_follow(client, personas, people):
    client.force_login(people["ines"])
    response = client.post(page(people["group"]), session(families=[people["lucas"].pk]))
    assert response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    with pytest.raises(ValidationError, match="seule la coordination de la cellule peut l'inscrire"):
        cellule.record_support_session(people["ines"], people["group"], on=TODAY, families=[people["lucas"]])
    assert not SupportGroupSession.objects.exists()


@pytest.mark.parametrize("who", ["omar", "member_a", "coord_b", "member_b"])
def test_another_groups_facilitator_another_association_or_departement_finds_no_group(client, personas, people,
                                                                                      who):
    """Omar facilitates the other group; member_a, of no association, facilitates none; the Rhône's people
    are of another département."""
    user = people.get(who) or getattr(personas, who)
    client.force_login(user)
    assert client.get(page(people["group"])).status_code == 404
    assert client.post(page(people["group"]), session()).status_code == 404
    with pytest.raises(policy.AccessDenied):
        cellule.record_support_session(user, people["group"], on=TODAY, families=[])
    assert not SupportGroupSession.objects.exists()
    if who != "coord_b":  # who coordinates no cellule creates no group
        assert client.post(LIST, {"create_group": "", "name": "Le mien", "run_by": "prefecture"}).status_code == 403
        assert not SupportGroup.objects.filter(name="Le mien").exists()


def test_a_member_who_facilitates_no_group_is_refused_the_list(client, personas, people):
    client.force_login(personas.member_a)
    assert client.get(LIST).status_code == 403


def test_a_facilitator_who_left_the_cellule_no_longer_records(client, personas, people):
    people["ines"].memberships.update(ends_on=TODAY)
    client.force_login(people["ines"])
    assert client.get(page(people["group"])).status_code == 404


@pytest.mark.parametrize("count", ["-1", "101", "99999999999999999999999"])
def test_the_count_of_other_parents_is_bounded(client, personas, people, count):
    client.force_login(people["ines"])
    response = client.post(page(people["group"]), session(families=[people["hers"].pk], other_parents=count))
    assert response.status_code == 400 and "Indiquez un nombre de parents de 0 à 100." in response.content.decode()
    with pytest.raises(ValidationError, match="Indiquez un nombre de parents de 0 à 100."):
        cellule.record_support_session(people["ines"], people["group"], on=TODAY, families=[people["hers"]],
                                       other_parents=int(count))
    assert not SupportGroupSession.objects.exists()


def test_a_session_is_not_recorded_ahead(client, personas, people):
    client.force_login(personas.coord_a)
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(page(people["group"]), session(on=tomorrow))
    assert response.status_code == 400 and "ne peut être dans le futur" in response.content.decode()
    assert not SupportGroupSession.objects.exists()


def test_the_monthly_report_counts_the_sessions_and_who_took_part(client, personas, people):
    prefecture = cellule.create_support_group(personas.coord_a, personas.cell_a, name="Préfecture",
                                              run_by="prefecture")
    cellule.record_support_session(personas.coord_a, prefecture, on=TODAY, families=[people["lucas"]],
                                   other_parents=4)
    cellule.record_support_session(people["ines"], people["group"], on=TODAY, families=[people["hers"]],
                                   other_parents=2)
    cellule.record_support_session(personas.coord_a, people["group"], on=TODAY, families=[people["hers"]])
    figures = compute(personas.cell_a, Month.of(TODAY))
    assert figures["support_groups"] == {
        "sessions": 3, "families": 2, "family_attendances": 3, "other_parents": 6, "participants": 9,
        "sessions_by_runner": {"Une association du département": 2, "La préfecture (la cellule elle-même)": 1}}
    table = {item: value for section, item, value in rows(figures) if section.startswith("Groupes de parole")}
    assert table["Séances tenues"] == 3 and table["Séances portées par la préfecture (la cellule elle-même)"] == 1
    assert table["Participants (familles et autres parents), cumul des séances"] == 9
    client.force_login(personas.coord_a)
    report = client.get(reverse("reports:detail", args=[str(Month.of(TODAY))])).content.decode()
    assert "Groupes de parole (séances du mois)" in report and "Autres parents (sans signalement suivi)" in report
