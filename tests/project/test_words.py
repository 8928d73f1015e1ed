"""The words of the pages and of the files they give (issue 28, point 15), through HTTP: French plurals and
figures, « 1er janvier », a role or a function that is no man's nor woman's, « née » by the young person's sex,
« — choisir — » in the selects, a resemblance in words, one word for a closed meeting; « oui »/« non », dates
in Paris time and the details in words in the exports. And every page of every role walked for the faults
that come back: Django's dashes, an ending in brackets, « Coordonnateur de la cellule »."""

import csv
import datetime
import io
import re
import zipfile

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cellule import actions as cellule
from inspection.actions import RECENT
from tests.cases.factories import CaseFactory, person_data
from tests.mobile_team.factories import mobile_request
from tests.organisation.factories import MembershipFactory
from tests.project.test_audit_coverage import PAGES, context, personas, shared  # noqa: F401
from workflows.models import Notification

NNBSP = "\u202f"
FAULTS = {
    "Django's dashes": re.compile(r"-{9}"),
    "an ending in brackets": re.compile(r"[a-zà-ÿ]\((e|s|es)\)", re.IGNORECASE),
    "a raw resemblance": re.compile(r"ressemblance \d"),
    "a gendered role": re.compile(r"Coordonnateur de la cellule|Directeur de cabinet"),
    "the cellule in capitals mid-sentence": re.compile(r"(de|la|à) Cellule"),
}


@pytest.mark.markup
@pytest.mark.parametrize("name", [name for name, (user, _, _) in PAGES.items() if user])
def test_every_page_of_every_role_reads_french(client, personas, context, name):  # noqa: F811
    user, args, _ = PAGES[name]
    client.force_login(getattr(personas, user))
    page = client.get(reverse(name, args=args(context)), follow=True).content.decode(errors="replace")
    assert [fault for fault, pattern in FAULTS.items() if pattern.search(page)] == []


@pytest.mark.parametrize("slug", ["demande-entretien", "equipe-mobile", "mesure", "action-plan", "adhesion",
                                  "cloturer"])
def test_the_selects_of_the_case_actions_start_on_choisir(client, personas, context, slug):  # noqa: F811
    client.force_login(personas.coord_a)
    page = client.get(reverse("cases:action", args=[context.case.pk, slug])).content.decode()
    assert "— choisir —" in page and "---------" not in page


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_home_page_counts_in_french(client, personas, context):  # noqa: F811
    newcomer = MembershipFactory(cell=personas.cell_a, coordinator=True).user
    assert "Aucune tâche à traiter" in home(client, newcomer)
    page = home(client, personas.member_a)  # the case's review and its plan's action are hers
    assert re.search(r"\d tâches? à traiter, aucune en retard", page) and "dont 0" not in page
    with time_machine.travel(timezone.now() + datetime.timedelta(days=45)):
        page = home(client, personas.member_a)
    assert re.search(r"(\d) tâches? à traiter dont \d en retard", page)


def test_a_role_names_the_function_not_a_man(client, personas, context):  # noqa: F811
    """The coordinator is « Coordination de la cellule », the chair « Direction de cabinet »; the person's
    own title is her function."""
    MembershipFactory(cell=personas.cell_a, coordinator=True, user__first_name="Claire",
                      function="Directrice de cabinet du préfet")
    client.force_login(personas.member_a)
    page = client.get(reverse("cell_detail", args=["93"])).content.decode()
    assert "Présidence : Direction de cabinet" in page and "Directrice de cabinet du préfet" in page
    assert "Coordination de la cellule" in page and "Coordonnateur" not in page
    assert "<h1>Composition de la cellule 93 — Seine-Saint-Denis</h1>" in page


def test_the_radicalisation_referent_is_named_once(client, personas, context):  # noqa: F811
    referent = MembershipFactory(cell=personas.cell_a, function="Référente radicalisation",
                                 radicalisation_referent=True)
    client.force_login(personas.member_a)
    row = client.get(reverse("cell_detail", args=["93"])).content.decode().split(referent.user.last_name)[1]
    row = row.split("</tr>")[0]
    assert row.count("radicalisation") == 1


def test_the_inspectors_mandate_starts_on_the_1er(client, personas, context):  # noqa: F811
    assert personas.mandate.starts_on.day == 1
    assert "Du 1er janvier 2024 au 31 décembre 2099" in home(client, personas.inspector)


def test_figures_have_their_thousands_apart(client, personas, context):  # noqa: F811
    client.force_login(personas.inspector)
    page = client.get(reverse("inspection:integrity")).content.decode()
    assert RECENT == 100_000 and f"les 100{NNBSP}000 derniers maillons" in page


def test_a_possible_duplicate_is_said_in_words_and_by_her_sex(client, personas, context):  # noqa: F811
    CaseFactory(coordinator=personas.coord_a, person=person_data(
        last_name="Benhamou", first_name="Inès", birth_date=datetime.date(2011, 2, 14), sex="f"))
    client.force_login(personas.coord_a)
    today = timezone.localdate().isoformat()
    page = client.post(reverse("cases:intake"), {
        "source": "cnapr", "received_on": today, "facts": "Propos de rupture.", "person_last_name": "Benhamou",
        "person_first_name": "Ines", "person_birth_date": "2011-02-15", "person_sex": "f", "person_commune": "Bondy",
        "person_situation": "school"}).content.decode()
    assert "née le 14/02/2011" in page and "né(e)" not in page
    assert "nom, prénom et date de naissance très proches" in page or "date de naissance proches" in page
    assert "ressemblance" not in page


def test_a_closed_meeting_is_clôturée_everywhere(client, personas, context):  # noqa: F811
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(),
                                       cases=[context.case])
    members = personas.cell_a.memberships.active(timezone.localdate())
    client.force_login(personas.coord_a)
    page = client.post(reverse("meetings:detail", args=[meeting.pk]), {
        "minutes": "Revue.", "close": "", "confirm_close": "on", **{f"presence-{m.pk}": "present" for m in members},
        **{f"decision-{item.pk}": "Poursuite." for item in meeting.items.all()}}, follow=True).content.decode()
    assert "Réunion clôturée." in page and "Clôturée" in page
    assert not re.search(r"(?i)réunion (est |n'est pas )?close\b|\bclore\b", page)
    assert "Présence" in client.get(reverse("meetings:minutes")).content.decode()


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_a_persons_file_says_oui_not_true(client, personas, context):  # noqa: F811
    client.force_login(personas.coord_a)
    response = client.get(reverse("retention:export", args=[context.case.pk, "jeune", context.case.person_id]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        relatives = rows(archive.read("proches.csv"))
    authority = relatives[1].index("titulaire de l'autorité parentale")
    assert relatives[2][authority] == "oui"
    assert not [cell for row in relatives for cell in row if cell in ("True", "False")]


def test_the_trails_csv_is_for_people(client, personas, context):  # noqa: F811
    """Dates and times in Paris and in French, the details in words rather than JSON; its name in Paris time."""
    request = mobile_request(personas.coord_a, personas.mobile, "scheduled")
    planned = timezone.localtime(request.scheduled_at)
    with time_machine.travel(datetime.datetime(2027, 6, 30, 22, 30, tzinfo=datetime.UTC), tick=False):
        client.force_login(personas.inspector)
        response = client.get(reverse("inspection:export_csv"), {"departement": "93",
                                                                 "action": "mobile_request.schedule"})
    assert response["Content-Disposition"] == 'attachment; filename="journal-audit-20270701-003000.csv"'
    header, *events = rows(response.content)
    details = header.index("Détails")
    (event,) = [row for row in events if "signalement :" in row[details]]  # PostgreSQL's JSON sorts the keys
    assert f"date : {planned:%d/%m/%Y à %H:%M}" in event[details]
    assert f"date : {planned:%d/%m/%Y à %H:%M}" in event[header.index("Événement")]
    assert not re.search(r"\d{4}-\d\d-\d\dT", response.content.decode()) and "{" not in event[details]


def test_an_inspector_reads_a_planned_intervention_in_paris_time(client, personas, context):  # noqa: F811
    request = mobile_request(personas.coord_a, personas.mobile, "scheduled")
    client.force_login(personas.inspector)
    page = client.get(reverse("inspection:case_timeline", args=[request.case.reference])).content.decode()
    assert f"date : {timezone.localtime(request.scheduled_at):%d/%m/%Y à %H:%M}" in page
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page)


def test_a_refused_login_is_in_the_pages_words(client, personas):  # noqa: F811
    page = client.post(reverse("login"), {"username": "coord_a", "password": "faux"}).content.decode()
    assert "Identifiant ou mot de passe incorrect." in page
    assert "nom d’utilisateur" not in page and "différenciation des majuscules" not in page


def test_the_notifications_speak_to_a_man_or_a_woman_alike(personas, context):  # noqa: F811
    actions.add_note(personas.coord_a, context.case, text="@member_a à voir.", visibility="cellule")
    titles = set(Notification.objects.filter(recipient=personas.member_a).values_list("title", flat=True))
    assert {f"Un signalement vous est confié — {context.case.reference}",
            f"Une note vous mentionne — {context.case.reference}"} <= titles
