"""Notifications in the product: each event a person should know of is in their list (unread, then
read), e-mailed as they chose (each, in the daily digest, or not), under a subject of its own, with no
personal data; nobody reaches another's."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import Event
from cases import actions
from cases.models import CaseTransfer
from mobile_team import actions as mobile
from organisation.models import Departement
from tests.cases.factories import CaseFactory
from tests.mobile_team.factories import mobile_request
from tests.organisation.factories import InstitutionFactory, MembershipFactory
from workflows.models import EmailChoice, Notification, NotificationPreference

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it

TODAY = timezone.localdate()
LAST_NAME = "Kerbrat-Vasseur"  # the young person's name, which nothing told may carry


def named(case):
    case.person.last_name = LAST_NAME
    case.person.save()
    return case


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def partner_of(personas, case):
    """A member of the cellule whose institution runs a measure under way on the case (its partner)."""
    pjj = InstitutionFactory(name="PJJ Seine-Saint-Denis", category="state", partner=True)
    educator = MembershipFactory(cell=personas.cell_a, institution=pjj, user__username="educ").user
    actions.add_care_measure(case.referent, case, modality="educational", beneficiary="young_person",
                             institution=pjj, starts_on=TODAY, adhesion="not_needed",
                             adhesion_note="Mesure ordonnée par le juge des enfants.")
    return educator


# --- each event, a notification -----------------------------------------------------------------------


def event_referent(client, p):
    case = named(CaseFactory(coordinator=p.coord_a, family_contacted=True))
    client.force_login(p.coord_a)
    client.post(reverse("cases:action", args=[case.pk, "attribuer"]), {"referent": p.member_a.memberships.get().pk})
    return p.member_a, case


def event_review_due(client, p):
    case = named(CaseFactory(coordinator=p.coord_a, referent=p.member_a, in_care=True))
    return p.member_a, case


def event_escalated(client, p):
    case = named(CaseFactory(coordinator=p.coord_a, referent=p.member_a, assigned=True))
    with time_machine.travel(TODAY + datetime.timedelta(days=31)):
        call_command("send_overdue_digest", stdout=StringIO())
    return p.coord_a, case


def event_partner_note(client, p):
    case = named(CaseFactory(coordinator=p.coord_a, referent=p.member_a, in_care=True))
    client.force_login(partner_of(p, case))
    client.post(reverse("cases:partner_note", args=[case.pk]),
                {"text": "Rendez-vous honoré.", "visibility": "referent"})
    return p.member_a, case


def event_mention(client, p):
    case = named(CaseFactory(coordinator=p.coord_a, referent=p.member_a, in_care=True))
    client.force_login(p.coord_a)
    client.post(reverse("cases:action", args=[case.pk, "note"]),
                {"text": "À voir avec @member_a.", "visibility": "referent"})
    return p.member_a, case


def event_mobile_answer(client, p):
    request = mobile_request(p.coord_a, p.mobile, "accepted")
    return p.coord_a, named(request.case)


def event_mobile_message(client, p):
    request = mobile_request(p.coord_a, p.mobile, "accepted")
    mobile.send_message(p.mobile, request, "Quel créneau vous convient ?")
    return p.coord_a, named(request.case)


def event_transfer_answered(client, p):
    case = named(CaseFactory(coordinator=p.coord_a, referent=p.member_a, in_care=True))
    client.force_login(p.coord_a)
    client.post(reverse("cases:action", args=[case.pk, "transferer"]),
                {"destination": Departement.objects.get(code="69").pk, "note": "Déménagement."})
    client.force_login(p.coord_b)
    client.post(reverse("cases:transfer", args=[CaseTransfer.objects.get(case=case).pk]), {"decision": "accept"})
    return p.coord_a, case


EVENTS = {
    "referent_named": (event_referent, "Un signalement vous est confié"),
    "task.review": (event_review_due, "Revue de suivi à faire"),
    "task_escalated": (event_escalated, "Tâche en retard signalée"),
    "partner_note": (event_partner_note, "Note d'un partenaire"),
    "note_mention": (event_mention, "Une note vous mentionne"),
    "mobile_accepted": (event_mobile_answer, "Demande acceptée par l'équipe mobile"),
    "mobile_message_to_cellule": (event_mobile_message, "Nouveau message sur la demande d'intervention"),
    "transfer_accepted": (event_transfer_answered, "Transfert accepté"),
}


@pytest.mark.parametrize("kind", EVENTS)
def test_each_event_is_in_the_persons_list_and_mailed_under_its_own_subject(
        client, personas, django_capture_on_commit_callbacks, kind):
    make, title = EVENTS[kind]
    with django_capture_on_commit_callbacks(execute=True):
        user, case = make(client, personas)
    notification = Notification.objects.filter(recipient=user, kind=kind).latest("pk")
    assert notification.title.startswith(title) and case.reference in notification.title
    assert notification.read_at is None
    client.force_login(user)
    listed = client.get(reverse("notifications:list")).content.decode()
    assert escape(notification.title) in listed and "Non lue" in listed
    # Its e-mail: the same title as subject, a link, and no name of the young person anywhere.
    [sent] = [m for m in mail.outbox if m.subject == f"[Cellule de suivi] {notification.title}"]
    assert user.email in sent.to and notification.path in sent.body
    told = [m.subject + m.body for m in mail.outbox] + [n.title + n.text for n in Notification.objects.all()]
    assert not [text for text in told if LAST_NAME.casefold() in text.casefold()
                or case.person.first_name in text]


def test_the_events_have_distinct_subjects():
    assert len({title for _, title in EVENTS.values()}) == len(EVENTS)


def test_the_receiving_cellule_is_told_of_a_transfer_without_its_reference(client, personas,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, case = event_transfer_answered(client, personas)
    asked = Notification.objects.get(recipient=personas.coord_b, kind="transfer_requested")
    assert asked.case is None and case.reference not in asked.title + asked.text
    assert kinds_of(personas.member_b) == []


def test_a_mention_tells_only_members_who_may_read_the_note(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.coord_a, in_care=True)
    other = MembershipFactory(cell=personas.cell_a, user__username="other_a").user  # no part in the case
    educator = partner_of(personas, case)
    client.force_login(personas.coord_a)
    client.post(reverse("cases:action", args=[case.pk, "note"]),
                {"text": "@member_b @other_a @outsider @educ @coord_a, pour suite.", "visibility": "referent"})
    assert kinds_of(personas.member_b) == kinds_of(other) == kinds_of(personas.outsider) == kinds_of(educator) == []
    assert "note_mention" not in kinds_of(personas.coord_a)  # its author
    # The partner reads a note that names them: mentioned there, they are told.
    client.post(reverse("cases:action", args=[case.pk, "note"]),
                {"text": "Vu avec @educ.", "visibility": "named", "named": [educator.pk]})
    assert kinds_of(educator) == ["note_mention"]


# --- unread, then read ----------------------------------------------------------------------------------


def test_unread_then_read_by_opening_it_or_all_at_once(client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user, case = event_review_due(client, personas)
    client.force_login(user)
    mine = Notification.objects.filter(recipient=user)
    first, second = mine.order_by("pk")[:2]
    page = client.get(reverse("cases:list")).content.decode()
    assert 'id="notification-link"' in page and f"{mine.count()}<span class=\"fr-sr-only\"> non lues" in page
    response = client.get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == first.path
    first.refresh_from_db()
    assert first.read_at is not None
    unread = client.get(reverse("notifications:list") + "?non-lues=1").context["page"]
    assert second in unread and first not in unread
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not mine.filter(read_at__isnull=True).exists()
    assert "Aucune notification non lue." in client.get(reverse("notifications:list") + "?non-lues=1").content.decode()
    assert Event.objects.filter(action="notification.read", actor=user).count() == 2


def test_nobody_reaches_anothers_notifications(client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user, _ = event_review_due(client, personas)
    theirs = Notification.objects.filter(recipient=user).first()
    for intruder in (personas.coord_a, personas.member_b, personas.outsider):
        client.force_login(intruder)
        assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
        assert client.get(reverse("notifications:open", args=[999999])).status_code == 404
        assert escape(theirs.title) not in client.get(reverse("notifications:list")).content.decode()
        client.post(reverse("notifications:read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert Event.objects.filter(action="access.denied", object_id=str(theirs.pk)).count() == 3


# --- the e-mail as each person chose ------------------------------------------------------------------


def choose(client, user, choice):
    client.force_login(user)
    return client.post(reverse("notifications:preferences"), {"email": choice})


@pytest.mark.parametrize("choice", EmailChoice.values)
def test_the_email_preference_is_obeyed(client, personas, django_capture_on_commit_callbacks, choice):
    assert choose(client, personas.member_a, choice).status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_review_due(client, personas)
    mine = [m for m in mail.outbox if personas.member_a.email in m.to]
    listed = Notification.objects.filter(recipient=personas.member_a)
    assert listed.exists()  # always in the product
    assert bool(mine) == (choice == EmailChoice.EACH)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_overdue_digest", stdout=StringIO())
    digests = [m for m in mail.outbox if personas.member_a.email in m.to and "Récapitulatif" in m.subject]
    if choice == EmailChoice.DIGEST:
        [digest] = digests
        assert digest.subject == f"[Cellule de suivi] Récapitulatif : {listed.count()} notifications"
        assert all(n.title in digest.body for n in listed) and LAST_NAME not in digest.body
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_overdue_digest", stdout=StringIO())
        assert [m for m in mail.outbox if "Récapitulatif :" in m.subject] == []  # sent once
    else:
        assert digests == []


def test_the_preference_page_refuses_bad_input_and_records_a_change(client, personas):
    client.force_login(personas.member_a)
    assert client.get(reverse("notifications:preferences")).context["form"].initial == {"email": "each"}
    response = choose(client, personas.member_a, "weekly")
    assert response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=personas.member_a).exists()
    choose(client, personas.member_a, EmailChoice.NONE)
    assert NotificationPreference.objects.get(user=personas.member_a).email == EmailChoice.NONE
    event = Event.objects.get(action="notification.preference", actor=personas.member_a)
    assert (event.details["avant"], event.details["après"]) == ("each", "none")


# --- what changed since one's last visit ----------------------------------------------------------------


def test_a_case_changed_since_the_last_visit_is_marked_on_the_list_and_the_page(client, personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    mark = "Modifié depuis votre dernière visite"
    client.force_login(personas.coord_a)
    assert mark not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()  # a first visit
    assert mark not in client.get(reverse("cases:list")).content.decode()
    actions.add_note(personas.member_a, case, text="Appel de la mère.", visibility="cellule")
    assert mark in client.get(reverse("cases:list")).content.decode()
    assert mark in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert mark not in client.get(reverse("cases:list")).content.decode()  # seen now
    assert mark not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    client.force_login(personas.member_a)  # who never opened it: nothing to compare with
    assert mark not in client.get(reverse("cases:list")).content.decode()


def test_the_mobile_teams_answer_marks_the_case(client, personas):
    request = mobile_request(personas.coord_a, personas.mobile, "claimed")
    client.force_login(personas.coord_a)
    client.get(reverse("cases:detail", args=[request.case.pk]))
    mobile.accept(personas.mobile, request)
    assert "Modifié depuis votre dernière visite" in client.get(reverse("cases:list")).content.decode()


# --- lists that stay flat ------------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_case_list_with_its_marks_stays_flat(client, personas):
    def cases(count):
        for _ in range(count):
            case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, assigned=True)
            client.get(reverse("cases:detail", args=[case.pk]))
            actions.add_note(personas.member_a, case, text="RAS", visibility="cellule")

    client.force_login(personas.coord_a)
    cases(5)
    few = queries(client, reverse("cases:list"))
    cases(25)
    assert queries(client, reverse("cases:list")) == few


def test_the_notification_list_stays_flat(client, personas):
    def notifications(count):
        Notification.objects.bulk_create([Notification(recipient=personas.member_a, kind="test", title=f"Objet {i}",
                                                       text="Texte", path="/") for i in range(count)])

    client.force_login(personas.member_a)
    client.get(reverse("home"))  # the scope kept with the session from now on (organisation.session_scope)
    notifications(5)
    few = queries(client, reverse("notifications:list"))
    notifications(25)
    assert queries(client, reverse("notifications:list")) == few

