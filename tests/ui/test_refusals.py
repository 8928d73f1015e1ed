"""What the person sees when a view lets an entry point's refusal through (``ui.middleware``), and when
the server fails (the 500 page)."""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.views.defaults import server_error

from ui.errors import Refusal
from ui.middleware import RefusalMiddleware


def posted(referer: str = ""):
    request = RequestFactory().post("/taches/7/prendre/", HTTP_REFERER=referer) if referer else (
        RequestFactory().post("/taches/7/prendre/"))
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    return request


def answer(exception, referer: str = ""):
    return RefusalMiddleware(lambda request: None).process_exception(posted(referer), exception)


@pytest.mark.parametrize("exception, status, said", [
    (Refusal("La tâche est déjà prise."), 409, "La tâche est déjà prise."),
    (ValidationError({"held_at": "Une réunion se programme au plus un an à l'avance."}), 400,
     "Une réunion se programme au plus un an à l"),
    (ValidationError(["Première raison.", "Seconde raison."]), 400, "Seconde raison."),
])
@pytest.mark.django_db
def test_a_refusal_a_view_let_through_is_a_french_page(exception, status, said, caplog):
    response = answer(exception, referer="http://testserver/taches/")
    page = response.content.decode()
    assert response.status_code == status and said in page and "Rien n'a été modifié." in page
    assert 'href="http://testserver/taches/"' in page  # back where the person came from
    assert "Refus sans traitement par la vue /taches/7/prendre/" in caplog.text  # for the view to handle it


@pytest.mark.parametrize("referer", ["https://ailleurs.example/piege", "//ailleurs.example/", "javascript:alert(1)",
                                     "http://testserver.ailleurs.example/"])
@pytest.mark.django_db
def test_the_way_back_never_leads_off_the_site(referer):
    page = answer(Refusal("Non."), referer=referer).content.decode()
    assert 'href="/"' in page and "ailleurs" not in page and "javascript" not in page


def test_any_other_exception_is_left_to_django():
    assert answer(RuntimeError("panne")) is None


def test_the_500_page_has_the_states_look_without_the_database():
    response = server_error(RequestFactory().get("/"))  # no database here: a query would raise
    page = response.content.decode()
    assert response.status_code == 500 and "Une erreur est survenue" in page
    assert "dsfr.min.css" in page and 'class="fr-header"' in page and 'lang="fr"' in page
