"""A form with errors: each field in error, and only it, says so to assistive
technologies with a message that exists; a summary on top links to each field and takes the focus
(tests/e2e/test_accessibility.py checks the focus in a browser); the empty login form says what is missing."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from audit.models import Event
from tests.cases.factories import CaseFactory
from tests.project.html import elements, missing_references

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def date_inputs(page: str) -> dict[str, dict[str, str]]:
    return {found["name"]: found for found in elements(page, "input", type="date")}


def test_a_birth_date_error_marks_that_field_only_and_never_the_date_fields_of_later_pages(client, personas):
    client.force_login(personas.coord_a)
    response = client.post(reverse("cases:intake"), {
        "source": "cnapr", "received_on": "2026-01-05", "facts": "Propos inquiétants.", "person_last_name": "Durand",
        "person_first_name": "Lucas", "person_birth_date": "2010-02-31", "person_sex": "m",
        "person_commune": "Bobigny"})
    page = response.content.decode()
    inputs = date_inputs(page)
    assert response.status_code == 400
    assert inputs["person_birth_date"]["aria-invalid"] == "true"
    assert inputs["person_birth_date"]["aria-describedby"] == "id_person_birth_date-desc-error"
    assert "aria-invalid" not in inputs["received_on"]
    assert missing_references(page) == []

    # The next pages' date fields, of this form and of another built from the same helper, are clean.
    case = CaseFactory(coordinator=personas.coord_a)
    for url in (reverse("cases:intake"), reverse("cases:action", args=[case.pk, "contact"])):
        page = client.get(url).content.decode()
        assert date_inputs(page), url
        assert [found for found in elements(page, "input") if "aria-invalid" in found] == [], url
        assert missing_references(page) == [], url


def test_the_error_summary_links_to_each_field_in_error(client, personas):
    client.force_login(personas.coord_a)
    case = CaseFactory(coordinator=personas.coord_a)
    page = client.post(reverse("cases:action", args=[case.pk, "contact"]), {}).content.decode()
    invalid = {found["id"] for found in elements(page, aria_invalid="true")}
    [summary] = elements(page, data_error_summary="")
    links = {found["href"] for found in elements(page, "a") if found.get("href", "").startswith("#id_")}
    assert summary["tabindex"] == "-1" and summary["role"] == "alert"
    assert invalid and links == {f"#{field}" for field in invalid}
    assert missing_references(page) == []
    assert elements(page, "script", src="/static/ui/forms.js")  # what gives the summary the focus


def test_a_valid_page_has_no_error_summary(client, personas):
    client.force_login(personas.coord_a)
    case = CaseFactory(coordinator=personas.coord_a)
    assert elements(client.get(reverse("cases:action", args=[case.pk, "contact"])).content.decode(),
                    data_error_summary="") == []


@pytest.mark.parametrize("data,errors", [
    ({}, {"username": "Saisissez votre identifiant.", "password": "Saisissez votre mot de passe."}),
    ({"username": "claire"}, {"password": "Saisissez votre mot de passe."}),
    ({"username": "c" * 256, "password": "x"}, {"username": "Un identifiant compte au plus 150 caractères."}),
])
def test_an_incomplete_login_form_says_what_is_missing(client, db, data, errors):
    response = client.post(reverse("login"), data)
    page = response.content.decode()
    assert response.status_code == 200
    for name, message in errors.items():
        [field] = elements(page, "input", name=name)
        assert field["aria-invalid"] == "true" and f'id="{field["aria-describedby"]}">{message}</p>' in page
        assert elements(page, "a", href=f"#id_{name}")
    assert elements(page, data_error_summary="") and missing_references(page) == []
    assert "autofocus" not in page  # the summary takes the focus


def test_a_wrong_password_is_told_in_the_summary(client, personas):
    page = client.post(reverse("login"), {"username": "coord_a", "password": "pas-le-bon"}).content.decode()
    assert len(elements(page, data_error_summary="")) == 1 and "Identifiant ou mot de passe incorrect." in page
    assert elements(page, aria_invalid="true") == []


def test_an_overlong_username_is_refused_before_any_password_is_checked(client, personas):
    """It answered 500 on PostgreSQL: django-axes recorded the failure in a column of 255 characters."""
    for username in ("coord_a" + "x" * 249, "é" * 100_000):
        response = client.post(reverse("login"), {"username": username, "password": "pas-le-bon"})
        assert response.status_code == 200 and "Un identifiant compte au plus 150 caractères." in (
            response.content.decode())
    assert not AccessAttempt.objects.exists() and not Event.objects.filter(action="auth.login_failed").exists()
