"""Every page of the technical admin site (the reference data) opens; accounts are no longer there
(tests/organisation/test_account_pages.py), and none is ever made superuser or staff."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from organisation.models import Membership, Role
from project.admin import admin_site

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def admin_pages(personas) -> list[str]:
    """The list, add and change page of every model the admin site holds."""
    urls = [reverse("admin:index")]
    for model in admin_site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        listed = model.objects.filter(role=Role.ADMIN) if model is Membership else model.objects
        instance = listed.order_by("pk").first()
        assert instance is not None, model
        urls.append(reverse(f"{name}_change", args=[instance.pk]))
    return urls


def test_every_admin_page_opens(client, personas):
    client.force_login(personas.admin)
    pages = admin_pages(personas)
    assert len(pages) == 1 + 3 * 3  # cellules, institutions, the administrators' memberships
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_the_admin_lists_and_gives_only_the_administrators_role(client, personas):
    """The national role is the national level's to give (organisation.rules.GRANTED_BY)."""
    client.force_login(personas.admin)
    listing = client.get(reverse("admin:organisation_membership_changelist")).content.decode()
    assert ">admin<" in listing and ">national<" not in listing and "coord_a" not in listing
    form = client.get(reverse("admin:organisation_membership_add")).content.decode()
    assert 'value="admin"' in form
    assert 'value="national"' not in form and 'value="coordinator"' not in form and 'value="inspector"' not in form
    for other in (personas.coord_a, personas.national):
        membership = other.memberships.get()
        assert client.get(reverse("admin:organisation_membership_change", args=[membership.pk])).status_code == 302


def test_no_account_is_made_superuser_or_staff_by_the_administrator(client, personas):
    client.force_login(personas.admin)
    member = personas.member_a
    url = reverse("account_edit", args=[member.pk])
    page = client.get(url).content.decode()
    assert "is_superuser" not in page and "is_staff" not in page and "user_permissions" not in page
    assert client.post(url, {"username": member.username, "first_name": member.first_name, "last_name": "Nouveau",
                             "email": member.email, "is_superuser": "on", "is_staff": "on"}).status_code == 302
    member.refresh_from_db()
    assert member.last_name == "Nouveau" and not member.is_superuser and not member.is_staff


@pytest.mark.parametrize("data", [
    {"action": "delete_selected", "index": "0"},  # no selection
    {"action": "reset_second_factor", "index": "0", "_selected_action": "abc"},  # a selection that is no key
    {"action": "reset_second_factor", "index": "x", "_selected_action": ["1", "2"], "select_across": "1"},
    {"action": "", "index": "0"},
])
def test_no_admin_list_answers_a_server_error_to_a_crafted_action(client, personas, data):
    """The admin site offers no bulk action (nothing is deleted; an account is got back by two people):
    whatever a changelist is posted, it answers without a server error and changes nothing."""
    client.force_login(personas.admin)
    users = list(User.objects.values_list("pk", "is_active", "email"))
    for model in admin_site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.post(url, data).status_code < 500, url
    assert list(User.objects.values_list("pk", "is_active", "email")) == users
