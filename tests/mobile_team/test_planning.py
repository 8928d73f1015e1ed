"""The mobile team plans an intervention once; afterwards it changes its date or place, under that
name: "Planifier" is no longer offered."""

import html

from django.urls import reverse

from tests.mobile_team.factories import mobile_request


def offered(client, request) -> str:
    return html.unescape(client.get(reverse("mobile_team:request", args=[request.pk])).content.decode())


def test_planifier_is_offered_until_the_intervention_is_planned(client, personas):
    client.force_login(personas.mobile)
    accepted = mobile_request(personas.coord_a, personas.mobile, "accepted")
    page = offered(client, accepted)
    assert "Planifier l'intervention" in page and "Modifier la date ou le lieu" not in page
    scheduled = mobile_request(personas.coord_a, personas.mobile, "scheduled")
    page = offered(client, scheduled)
    assert "Planifier l'intervention" not in page
    assert "Modifier la date ou le lieu de l'intervention" in page


def test_planning_a_planned_intervention_again_says_why_it_is_refused(client, personas):
    scheduled = mobile_request(personas.coord_a, personas.mobile, "scheduled")
    client.force_login(personas.mobile)
    response = client.get(reverse("mobile_team:action", args=[scheduled.pk, "planifier"]), follow=True)
    assert "« Planifier l'intervention » n'est pas possible : la demande est « Intervention planifiée »." in (
        html.unescape(response.content.decode()))
