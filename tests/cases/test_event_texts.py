"""No name in the trail, ever: what a person types with an action or a
consultation (a motive's précision, a reason, a note) is kept beside the append-only trail, referred
to by its number, shown with its event to whoever reads it while the case lives, and erased with the
case by the purge, which the trail outlives."""

import html
import json

import pytest
from django.urls import reverse
from django.utils import timezone

import audit
from audit.models import Event
from cases import actions
from cases.event_texts import ERASED
from cases.models import EventText
from organisation.policy import SYSTEM
from retention import actions as retention
from tests.cases.factories import CaseFactory, bilan, progress
from tests.organisation.factories import InstitutionFactory, MembershipFactory
from workflows import tasks

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()
PRECISION = "Dossier de Inès Dupont"


def in_trail(text: str) -> bool:
    return any(text in json.dumps(event.details, ensure_ascii=False) for event in Event.objects.all())


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def consulted(client, personas):
    """A member who contacted the family, later, opens the case again: the motive "Autre", and its précision."""
    former_holder = MembershipFactory(cell=personas.cell_a, contacts_families=True).user
    case = CaseFactory(coordinator=personas.coord_a)
    tasks.claim(former_holder, case.tasks.get(flow_task_name="contact_family"))
    actions.record_family_contact(former_holder, case, on=TODAY, channel="phone", outcome="reached")
    client.force_login(former_holder)
    asked = client.get(reverse("cases:detail", args=[case.pk]))["Location"]
    assert asked.split("?")[0] == reverse("cases:motive", args=[case.pk])
    client.post(reverse("cases:motive", args=[case.pk]), {"reason": "other", "text": PRECISION})
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    return case


def test_the_precision_of_a_motive_is_shown_to_inspectors_never_kept_in_the_trail(client, personas, consulted):
    case = consulted
    view = Event.objects.filter(action="case.view", object_id=str(case.pk)).latest("id")
    assert view.details["motif"] == "Autre (préciser)" and not in_trail("Inès")
    timeline = page(client, personas.inspector, reverse("inspection:case_timeline", args=[case.reference]))
    assert f"motif : Autre (préciser) ; précision : {PRECISION}" in html.unescape(timeline)
    assert PRECISION in page(client, personas.inspector, reverse("inspection:search") + "?action=case.view")
    # The exports leave the product: they carry the text's number, never the text.
    export = client.get(reverse("inspection:export_csv"), {"action": "case.view"}).content.decode()
    assert "Autre (préciser)" in export and "Inès" not in export


def test_the_purge_erases_the_precision_the_trail_referred_to(client, personas, consulted):
    case = consulted
    actions.close(personas.coord_a, case, reason="unfounded", note="Sans suite.")
    assert retention.erase(SYSTEM, case, TODAY.replace(year=TODAY.year + 6)) is not None
    assert not EventText.objects.filter(case=case).exists() and not in_trail("Inès")
    timeline = page(client, personas.inspector, reverse("inspection:case_timeline", args=[case.reference]))
    assert f"précision : {ERASED}" in timeline and "Inès" not in timeline


def reopen(personas, case, text):
    actions.close(personas.coord_a, case, reason="left", note="Départ.", measures_outcome="interrupted",
                  bilan=bilan(case))
    actions.reopen(personas.coord_a, case, reason=text)


def change_referent(personas, case, text):
    actions.change_referent(personas.coord_a, case, referent=personas.coord_a, reason=text)


def decline_closure(personas, case, text):
    actions.complete_review(personas.member_a, case, note="Point fait.", propose_closure=True, progress=progress(case))
    actions.decline_closure(personas.coord_a, case, note=text)


def remove_care_measure(personas, case, text):
    measure = actions.add_care_measure(personas.member_a, case, modality="health", beneficiary="family",
                                       institution=InstitutionFactory(partner=True), starts_on=TODAY,
                                       adhesion="not_needed", adhesion_note=f"Ordonnance — {text}")
    actions.remove_care_measure(personas.coord_a, measure, reason=text)


@pytest.mark.parametrize("act", [reopen, change_referent, decline_closure, remove_care_measure])
def test_a_reason_typed_with_an_action_is_read_on_the_case_page_not_kept_in_the_trail(client, personas, act):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    act(personas, case, "Propos de Inès Dupont")
    assert not in_trail("Inès")
    assert EventText.objects.filter(case=case, text="Propos de Inès Dupont").exists()
    assert "Propos de Inès Dupont" in html.unescape(page(client, personas.coord_a, reverse("cases:detail",
                                                                                         args=[case.pk])))


def test_a_reference_to_another_cases_text_shows_nothing_of_it(client, personas):
    """An event that names the text of another case (written around the recorder, or a wrong number)
    shows that it is gone, not the other case's words."""
    case, other = (CaseFactory(coordinator=personas.coord_a) for _ in range(2))
    actions.close(personas.coord_a, other, reason="unfounded", note="Sans suite.")
    actions.reopen(personas.coord_a, other, reason="Propos de Inès Dupont")
    foreign = EventText.objects.get(case=other).pk
    audit.record("case.view", obj=case, departement="93", details={
        "signalement": case.reference, "motif": "Autre (préciser)", "précision": {"texte": foreign}})
    timeline = page(client, personas.inspector, reverse("inspection:case_timeline", args=[case.reference]))
    assert f"précision : {ERASED}" in timeline and "Inès" not in timeline
