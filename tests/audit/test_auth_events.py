"""Login, failed login and logout produce their events, without any secret."""

import json

from django.urls import reverse

from audit.models import Event
from tests.audit.trail import minute_over
from tests.conftest import PASSWORD


def test_login_failed_login_and_logout_are_recorded(client, personas):
    response = client.post(reverse("login"), {"username": "coord_a", "password": "mauvais-mot-de-passe"},
                           REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()
    client.post(reverse("login"), {"username": "coord_a", "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")
    client.post(reverse("logout"))
    minute_over()  # the failures of a minute are counted, and written once it is over

    login, logout, failed = Event.objects.filter(action__startswith="auth.")
    assert (failed.action, failed.actor, failed.object_id, failed.ip) == (
        "auth.login_failures", None, str(personas.coord_a.pk), "198.51.100.4")
    assert (failed.departement, failed.details["nombre"]) == ("93", 1)
    assert (login.action, login.actor, login.ip) == ("auth.login", personas.coord_a, "198.51.100.4")
    assert (login.actor_role, login.actor_cell) == ("coordinator", "93")
    assert (logout.action, logout.actor) == ("auth.logout", personas.coord_a)
    assert login.request_id and login.request_id != logout.request_id
    everything = json.dumps(list(Event.objects.values()), default=str)
    assert "mauvais-mot-de-passe" not in everything and PASSWORD not in everything
