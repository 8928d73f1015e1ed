"""The case page as a workspace (issue 27, point 1), through HTTP: the summary comes first (the young person,
the référent, what comes next, the consent, the care under way, what needs attention), the case's path is
drawn with the states it went through and its current one, in words as well, the file follows in tabs with
each concern's section in its tab, the actions in one menu; the same read recorded, no more queries."""

import datetime
import html

import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cases import actions
from tests.cases.factories import CaseFactory, progress

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def page_of(client, case) -> str:
    return html.unescape(client.get(reverse("cases:detail", args=[case.pk])).content.decode())


def test_the_summary_comes_first_with_what_the_coordinator_needs(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    actions.complete_review(personas.member_a, case, note="Point.", propose_closure=True, progress=progress(case),
                            next_review_on=timezone.localdate() + datetime.timedelta(days=20))
    actions.record_consent(personas.member_a, case, party="family", status="given", on=timezone.localdate())
    client.force_login(personas.coord_a)
    page = page_of(client, case)
    summary = page.split('id="summary"')[1].split("</section>")[0]
    assert page.index('id="summary"') < page.index('id="case-actions"') < page.index('role="tablist"')
    assert str(case.person) in summary and f"{case.person.age(timezone.localdate())} ans" in summary
    assert personas.member_a.get_full_name() in summary
    assert f"prochaine revue le {timezone.localdate() + datetime.timedelta(days=20):%d/%m/%Y}" in summary
    assert "Décider de la clôture" in summary  # the nearest task's deadline
    assert "Famille : donnée" in summary and "Association Sauvegarde" in summary
    assert "Clôture proposée par le référent" in summary
    assert Event.objects.filter(action="case.view", actor=personas.coord_a).count() == 1  # the read, as before


def test_the_path_shows_the_states_reached_and_the_current_one_in_words_too(client, personas):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        case = CaseFactory(coordinator=personas.coord_a)
        reached = timezone.localdate()
        actions.assign(personas.coord_a, case, referent=personas.member_a, no_contact_reason="unreachable")
    client.force_login(personas.coord_a)
    page = page_of(client, case)
    words = page.split('id="path-title">')[1].split("</figcaption>")[0]
    assert words == (f"Parcours : Reçu le {reached:%d/%m/%Y}, Attribué le {reached:%d/%m/%Y}. "
                     "État actuel : Attribué.")  # never contacted: the state it skipped is not said
    drawing = page.split('class="case-path--wide"')[1].split("</svg>")[0]
    assert drawing.count('class="ring"') == 1  # the current state ringed, once
    assert drawing.count('r="9" class="reached"') == 2  # two states reached
    assert ">Clôturé<" in drawing and reached.strftime("%d/%m/%Y") in drawing


def test_the_file_is_in_tabs_each_concerns_section_in_its_own(client, personas):
    from mobile_team import actions as mobile

    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    mobile.request_mobile_team(personas.coord_a, case, motive="Regard clinique.", expected="advice",
                               urgency="normal", summary="Repli sur soi.")
    client.force_login(personas.coord_a)
    page = page_of(client, case)
    tabs = {slug: page.split(f'id="onglet-{slug}-panneau"')[1].split('<div id="onglet-')[0]
            for slug in ("situation", "accompagnement", "echanges", "chronologie")}
    assert "Faits signalés" in tabs["situation"] and "Proches" in tabs["situation"]
    assert 'id="prises-en-charge"' in tabs["accompagnement"] and "Plan d'accompagnement" in tabs["accompagnement"]
    assert 'id="equipe-mobile"' in tabs["echanges"] and "Ajouter une note" in tabs["echanges"]
    assert "Chronologie" in tabs["chronologie"]
    menu = page.split('id="case-actions-menu"')[1].split("</section>")[0]
    assert "Que voulez-vous faire ?" in page and reverse("cases:action", args=[case.pk, "note"]) not in menu
    assert reverse("cases:action", args=[case.pk, "cloturer"]) in menu


def test_a_partner_still_gets_the_limited_page(client, personas):
    from tests.organisation.factories import MembershipFactory

    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    partner = MembershipFactory(cell=personas.cell_a, institution=case.care_measures.get().institution).user
    client.force_login(partner)
    page = page_of(client, case)
    assert 'role="tablist"' not in page and "Faits signalés" not in page and case.facts not in page


def test_an_unknown_situation_is_said_in_words_under_the_young_person(client, personas):
    """Issue 28, point 16: « Inconnue » alone under the young person's name said nothing of what is unknown."""
    case = CaseFactory(coordinator=personas.coord_a)  # the situation was not given at intake
    client.force_login(personas.coord_a)
    for url in (reverse("cases:detail", args=[case.pk]), reverse("cases:person", args=[case.person_id]),
                reverse("cases:action", args=[case.pk, "transferer"])):  # a task page's brief
        page = " ".join(html.unescape(client.get(url).content.decode()).split())
        assert "situation scolaire ou professionnelle inconnue" in page.lower(), url
        assert "— Inconnue" not in page and "<br> Inconnue" not in page and "<br>Inconnue" not in page, url
