"""The technical administrator's account pages, through HTTP: an account is created with an
invitation (never a typed password) whose link lets its holder choose one, then enrol a second
factor; deactivated (its sessions end, its login is refused) and activated again; its lost second
factor reset once a second person approves; its last login shown. Every other role is refused, a
crafted id or value changes nothing, every change and read is in the trail, and the pages show
accounts only, never a case."""

import datetime
import html
import re

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from organisation.models import AccountRecovery, AccountSession, Membership, Role, SecondFactor
from organisation.second_factor import enrol, new_secret
from tests.cases.factories import CaseFactory
from tests.conftest import PASSWORD
from tests.organisation.factories import InstitutionFactory, MembershipFactory, UserFactory

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

LIST, CREATE = reverse("account_list"), reverse("account_create")
IDENTITY = {"first_name": "Inès", "last_name": "Roy", "email": "ines.roy@example.invalid", "username": "iroy"}
NEW_PASSWORD = "une-phrase-de-passe-solide-42"


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def detail(user) -> str:
    return reverse("account_detail", args=[user.pk])


def logs_in(username: str, password: str = PASSWORD) -> Client | None:
    client = Client()
    answer = client.post(reverse("login"), {"username": username, "password": password})
    return client if answer.status_code == 302 else None


def test_the_admin_creates_an_account_whose_holder_chooses_a_password_then_a_second_factor(
        personas, settings, django_capture_on_commit_callbacks):
    admin = signed_in(personas.admin)
    form = text(admin.get(CREATE))
    assert "password" not in form.lower() and "mot de passe" in form  # said, never asked
    with django_capture_on_commit_callbacks(execute=True):
        created = admin.post(CREATE, {**IDENTITY, "password1": "choisi-par-l-admin-42", "role": ""})
    account = User.objects.get(username="iroy")
    assert created.status_code == 302 and created["Location"] == detail(account)
    assert not account.has_usable_password() and not account.memberships.exists()
    event = Event.objects.get(action="user.create")
    assert (event.actor, event.object_id) == (personas.admin, str(account.pk))
    [invitation] = mail.outbox
    assert invitation.to == [IDENTITY["email"]] and invitation.subject == "[Cellule de suivi] Votre compte"
    # What every account e-mail carries (the holder's name, the identifier), nothing else of anyone.
    assert "Inès Roy" in invitation.body and "iroy" in invitation.body
    assert IDENTITY["email"] not in invitation.body and personas.admin.last_name not in invitation.body
    assert "Invitation en attente" in text(admin.get(detail(account)))

    link = re.search(r"http://[^/]+(/mot-de-passe/\S+/)", invitation.body).group(1)
    settings.SECOND_FACTOR_REQUIRED = True  # as outside the tests (the administrator's client has none)
    holder = Client()
    form_page = holder.get(link, follow=True)
    set_password = form_page.redirect_chain[-1][0]
    assert holder.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302
    signing_in = holder.post(reverse("login"), {"username": "iroy", "password": NEW_PASSWORD})
    assert signing_in.status_code == 302
    assert holder.get(reverse("home"), follow=True).redirect_chain[-1][0].startswith(
        reverse("second_factor_enrol"))  # the second factor next
    assert Event.objects.get(action="user.password_set").actor == account
    # The link served once: it sets no other password.
    again = Client()
    page = again.get(link, follow=True)
    assert 'name="new_password1"' not in text(page)
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)


def test_the_invitation_link_expires(personas, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(personas.admin).post(CREATE, IDENTITY)
    link = re.search(r"http://[^/]+(/mot-de-passe/\S+/)", mail.outbox[0].body).group(1)
    later = datetime.datetime.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        page = text(Client().get(link, follow=True))
    assert 'name="new_password1"' not in page and "Ce lien n'est plus valide" in page
    assert not User.objects.get(username="iroy").has_usable_password()


def test_the_admin_gives_only_the_administrators_role_with_the_account(personas, django_capture_on_commit_callbacks):
    admin = signed_in(personas.admin)
    form = text(admin.get(CREATE))
    assert 'value="admin"' in form
    assert all(f'value="{role}"' not in form for role in ("national", "coordinator", "member", "inspector",
                                                          "mobile_team"))
    missing = admin.post(CREATE, {**IDENTITY, "role": "admin"})
    assert missing.status_code == 400
    assert "Choisissez l'institution de la personne." in text(missing)
    assert "Indiquez la fonction de la personne." in text(missing)
    assert not User.objects.filter(username="iroy").exists()
    crafted = admin.post(CREATE, {**IDENTITY, "role": "national", "institution": InstitutionFactory(
        departement=None).pk, "function": "CIPDR"})
    assert crafted.status_code == 400 and "Sélectionnez un choix valide" in text(crafted)
    dnum = InstitutionFactory(name="Ministère de l'Intérieur — DNUM", departement=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(CREATE, {**IDENTITY, "role": "admin", "institution": dnum.pk,
                                   "function": "Administratrice"}).status_code == 302
    membership = Membership.objects.get(user__username="iroy")
    assert (membership.role, membership.institution, membership.cell) == (Role.ADMIN, dnum, None)
    assert set(Event.objects.filter(actor=personas.admin).values_list("action", flat=True)) >= {
        "user.create", "membership.create"}


@pytest.mark.parametrize("change,field,message", [
    ({"first_name": ""}, "first_name", "Ce champ est obligatoire."),
    ({"email": "pas-une-adresse"}, "email", "Saisissez une adresse de courriel valide."),
    ({"username": "member_a"}, "username", "Un utilisateur avec ce nom existe déjà."),
    ({"username": "a b"}, "username", "Saisissez un nom d’utilisateur valide."),
    ({"email": "MEMBER_A@example.invalid"}, "email", "Un autre compte actif a déjà cette adresse."),
    ({"last_name": "x" * 151}, "last_name", "au plus 150 caractères"),
])
def test_a_wrong_account_is_refused_in_french_and_nothing_is_created(personas, change, field, message,
                                                                     django_capture_on_commit_callbacks):
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        refused = signed_in(personas.admin).post(CREATE, {**IDENTITY, **change})
    page = text(refused)
    assert refused.status_code == 400 and message in page, page
    assert f'id="id_{field}"' in page and 'aria-invalid="true"' in page
    assert User.objects.count() == users and not mail.outbox
    assert not Event.objects.filter(action__in=["user.create", "membership.create"]).exists()


def test_deactivating_ends_the_sessions_and_refuses_the_login_until_reactivated(personas):
    admin, member = signed_in(personas.admin), personas.member_a
    browser = logs_in("member_a")
    assert AccountSession.objects.filter(user=member).exists()
    page = text(admin.get(detail(member)))
    assert "Désactiver le compte" in page and 'name="password' not in page
    assert admin.post(detail(member), {"active": "0"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active and not AccountSession.objects.filter(user=member).exists()
    assert browser.get(reverse("home")).url.startswith(reverse("login"))
    assert logs_in("member_a") is None
    event = Event.objects.get(action="user.update")
    assert event.actor == personas.admin and "is_active" in event.details["changements"]
    assert Event.objects.get(action="user.sessions_end").details["motif"] == "compte désactivé"
    assert "Désactivé" in text(admin.get(LIST))
    again = admin.post(detail(member), {"active": "0"})
    assert again.status_code == 400 and "Ce compte est déjà désactivé." in text(again)
    assert admin.post(detail(member), {"active": "1"}).status_code == 302
    assert logs_in("member_a") is not None and member.memberships.get().is_current  # the role was kept


def test_the_admin_never_deactivates_their_own_account(personas):
    admin = signed_in(personas.admin)
    refused = admin.post(detail(personas.admin), {"active": "0"})
    assert refused.status_code == 400
    assert "Votre propre compte se désactive par un autre administrateur." in text(refused)
    assert User.objects.get(pk=personas.admin.pk).is_active
    assert not Event.objects.filter(action="user.update").exists()


def test_a_reactivated_account_keeps_one_active_account_per_address(personas):
    admin, member = signed_in(personas.admin), personas.member_a
    admin.post(detail(member), {"active": "0"})
    UserFactory(username="successeur", email=member.email)
    refused = admin.post(detail(member), {"active": "1"})
    assert refused.status_code == 400 and "Un autre compte actif a déjà cette adresse." in text(refused)
    assert not User.objects.get(pk=member.pk).is_active


def test_a_lost_second_factor_is_reset_from_the_account_page_once_a_second_person_approves(
        personas, django_capture_on_commit_callbacks):
    enrol(personas.member_a, new_secret(), 1)
    admin, url = signed_in(personas.admin), detail(personas.member_a)
    assert "enregistré" in text(admin.get(url))
    unexplained = admin.post(url, {"recovery": "", "kind": "second_factor", "reason": ""})
    assert unexplained.status_code == 400 and "Ce champ est obligatoire." in text(unexplained)
    crafted = admin.post(url, {"recovery": "", "kind": "tout", "reason": "Téléphone perdu."})
    assert crafted.status_code == 400 and "Sélectionnez un choix valide" in text(crafted)
    assert not AccountRecovery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        asked = admin.post(url, {"recovery": "", "kind": "second_factor", "reason": "Téléphone perdu le 3 mars."})
    assert asked.status_code == 302 and SecondFactor.objects.filter(user=personas.member_a).exists()
    recovery = AccountRecovery.objects.get()
    assert "En attente d'approbation" in text(admin.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(personas.coord_a).post(reverse("decide_recovery", args=[recovery.pk]), {"decision": "approve"})
    assert not SecondFactor.objects.filter(user=personas.member_a).exists()
    assert "pas encore enregistré" in text(admin.get(url))
    assert list(Event.objects.filter(object_id=str(personas.member_a.pk), action__startswith="user.recovery_")
                .values_list("action", "actor")) == [("user.recovery_request", personas.admin.pk),
                                                     ("user.recovery_approve", personas.coord_a.pk)]
    own = admin.post(detail(personas.admin), {"recovery": "", "kind": "password", "reason": "Oubli."})
    assert own.status_code == 400 and "Votre propre compte se récupère" in text(own)


def test_the_last_login_is_shown(personas):
    seen = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 15))
    User.objects.filter(pk=personas.member_a.pk).update(last_login=seen)
    admin = signed_in(personas.admin)
    listing = text(admin.get(LIST))
    row = listing.split(f'href="{detail(personas.member_a)}"')[1].split("</tr>")[0]
    assert "02/03/2026 à 09:15" in row
    never = listing.split(f'href="{detail(personas.outsider)}"')[1].split("</tr>")[0]
    assert "jamais" in never
    assert "02/03/2026 à 09:15" in text(admin.get(detail(personas.member_a)))


def test_the_admin_changes_an_identity_and_the_previous_address_is_told(personas,
                                                                       django_capture_on_commit_callbacks):
    admin, member = signed_in(personas.admin), personas.member_a
    url = reverse("account_edit", args=[member.pk])
    fields = {"first_name": member.first_name, "last_name": member.last_name, "username": member.username}
    taken = admin.post(url, {**fields, "email": personas.coord_a.email})
    assert taken.status_code == 400 and "Un autre compte actif a déjà cette adresse." in text(taken)
    assert User.objects.get(pk=member.pk).email == member.email
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, {**fields, "email": "nouvelle@example.invalid"}).status_code == 302
    assert User.objects.get(pk=member.pk).email == "nouvelle@example.invalid"
    [notice] = [message for message in mail.outbox if message.to == [member.email]]
    assert "a été remplacée par l'administration technique" in notice.body


def test_searching_the_accounts(personas):
    admin = signed_in(personas.admin)
    found = text(admin.get(LIST, {"q": "Nom-Member-A"}))
    assert detail(personas.member_a) in found and detail(personas.coord_a) not in found
    invited = UserFactory(username="invitee")
    invited.set_unusable_password()
    invited.save()
    waiting = text(admin.get(LIST, {"status": "invited"}))
    assert detail(invited) in waiting and detail(personas.member_a) not in waiting
    crafted = admin.get(LIST, {"status": "tous-les-mots-de-passe"})
    assert crafted.status_code == 400 and "Sélectionnez un choix valide" in text(crafted)


OTHERS = ["coord_a", "member_a", "coord_b", "mobile", "inspector", "national", "former", "outsider"]


@pytest.mark.parametrize("who", OTHERS)
def test_every_other_role_is_refused_and_nothing_changes(personas, who):
    other, target = signed_in(getattr(personas, who)), personas.member_b
    assert other.get(LIST).status_code == 403
    assert other.get(CREATE).status_code == 403
    assert other.post(CREATE, IDENTITY).status_code == 403
    assert other.get(detail(target)).status_code == 404
    assert other.get(reverse("account_edit", args=[target.pk])).status_code == 404
    # An inspector posts nothing anywhere: refused (403) before any lookup.
    posted = 403 if who == "inspector" else 404
    assert other.post(detail(target), {"active": "0"}).status_code == posted
    assert other.post(detail(target), {"recovery": "", "kind": "password", "reason": "Oubli."}).status_code == posted
    assert other.post(reverse("account_edit", args=[target.pk]), {
        **IDENTITY, "username": target.username}).status_code == posted
    target.refresh_from_db()
    assert target.is_active and target.email == "member_b@example.invalid"
    assert not User.objects.filter(username="iroy").exists() and not AccountRecovery.objects.exists()
    assert Event.objects.filter(action="access.denied", actor=getattr(personas, who)).exists()
    assert f'href="{LIST}"' not in text(other.get(reverse("home")))


def test_a_crafted_id_or_value_answers_404_or_a_french_message(personas):
    admin = signed_in(personas.admin)
    missing = User.objects.order_by("-pk").first().pk + 1
    for url in (reverse("account_detail", args=[missing]), reverse("account_edit", args=[missing])):
        assert admin.get(url).status_code == 404 and admin.post(url, {"active": "0"}).status_code == 404
    crafted = admin.post(detail(personas.member_a), {"active": "peut-être"})
    assert crafted.status_code == 400 and "Choisissez de désactiver ou de réactiver le compte." in \
        text(crafted)
    assert User.objects.get(pk=personas.member_a.pk).is_active
    assert admin.get("/comptes/abc/").status_code == 404


def test_the_pages_show_accounts_never_a_case_and_record_their_reads(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
    admin = signed_in(personas.admin)
    pages = [text(admin.get(url)) for url in (LIST, detail(personas.member_a),
                                                         reverse("account_edit", args=[personas.member_a.pk]))]
    for page in pages:
        assert case.reference not in page and case.person.last_name not in page
    assert "Membre de la cellule" in pages[1] and "Nom-Member-a" in pages[1]
    listed = Event.objects.get(action="user.list")
    assert personas.member_a.pk in listed.details["comptes"] and listed.actor == personas.admin
    assert Event.objects.filter(action="user.view", object_id=str(personas.member_a.pk)).count() == 2


def test_the_list_queries_stay_flat_as_accounts_grow(personas):
    admin = signed_in(personas.admin)
    admin.get(LIST)  # the session and the policy's first reads

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(LIST).status_code == 200
        return len(queries)

    before = count()
    for _ in range(30):
        enrol(MembershipFactory(cell=personas.cell_a).user, new_secret(), 1)
    assert count() == before


def test_the_stock_admin_no_longer_holds_accounts(personas):
    admin = signed_in(personas.admin)
    for url in ("/admin/auth/user/", "/admin/auth/user/add/", f"/admin/auth/user/{personas.member_a.pk}/change/",
                f"/admin/auth/user/{personas.member_a.pk}/password/"):
        answer = admin.get(url, follow=True)
        assert 'type="password"' not in text(answer) and answer.status_code == 404, url
    index = text(admin.get(reverse("admin:index")))
    assert "/admin/auth/" not in index and "Institutions" in index
