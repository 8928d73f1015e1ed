"""A meeting's invitation (iCalendar, read back with ``icalendar``) and its PDF documents (their text read
back with ``pypdf``): each names a case only to whom may open it."""

import ctypes.util
import datetime
import io

import icalendar
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from cellule import actions as cellule
from organisation.errors import ActionRefused
from tests.cases.factories import CaseFactory
from tests.cellule.factories import decision, everyone

PERSONAS_BUILT_ONCE = True  # tests/conftest.py: each test's own data rolls back with it


def invitations(mailoutbox) -> list[icalendar.Calendar]:
    """The calendars attached to the meeting e-mails, in order."""
    found = []
    for mail in mailoutbox:
        for name, content, mimetype in mail.attachments:
            if name == "reunion.ics":
                assert mimetype.startswith("text/calendar")
                found.append(icalendar.Calendar.from_ical(content))
    return found


def test_the_members_get_an_invitation_then_its_update_then_its_cancellation(
        personas, mailoutbox, django_capture_on_commit_callbacks):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    held_at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=held_at, cases=[case])
        cellule.update_meeting(personas.coord_a, meeting, held_at=held_at + datetime.timedelta(hours=1), cases=[case])
        cellule.cancel_meeting(personas.coord_a, meeting)
    sent = invitations(mailoutbox)
    assert [str(cal["method"]) for cal in sent] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [cal.walk("VEVENT")[0] for cal in sent]
    assert len({str(event["uid"]) for event in events}) == 1  # one event, updated in the members' calendars
    assert [int(event["sequence"]) for event in events] == [0, 1, 2]
    assert events[0].decoded("dtstart") == held_at and events[1].decoded("dtstart") == held_at + \
        datetime.timedelta(hours=1)
    assert str(events[2]["status"]) == "CANCELLED"
    members = {m.user.email for m in personas.cell_a.memberships.active() if m.user.email}
    assert {str(a).removeprefix("mailto:") for a in events[0].get("attendee")} == members
    assert set(mailoutbox[0].to) == members
    # The invitation leaves the application: it names no case.
    for mail in mailoutbox:
        assert case.reference not in mail.body + mail.subject
    assert all(case.reference.encode() not in cal.to_ical() for cal in sent)
    assert "annulée" in mailoutbox[-1].subject
    assert Event.objects.filter(action="meeting.cancel").count() == 1


def test_a_meeting_with_decisions_is_not_cancelled(personas):
    case = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[case])
    cellule.record_meeting(personas.coord_a, meeting, minutes="", attendance={},
                           decisions={meeting.items.get().pk: decision("Poursuite.")})
    with pytest.raises(ActionRefused, match="ne peut plus être annulée"):
        cellule.cancel_meeting(personas.coord_a, meeting)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("planned", 0)


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def closed(personas):
    """A closed meeting of the 93 on two cases: member_a is the référent of the first only; a later meeting."""
    seen = CaseFactory(coordinator=personas.coord_a, referent=personas.member_a, in_care=True)
    hidden = CaseFactory(coordinator=personas.coord_a, referent=personas.coord_a, in_care=True)
    meeting = cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now(), cases=[seen, hidden])
    items = {item.case_id: item.pk for item in meeting.items.all()}
    cellule.record_meeting(personas.coord_a, meeting, minutes="Deux situations revues.", attendance=everyone(meeting),
                           decisions={items[seen.pk]: decision("Bilan scolaire.", "continue", personas.member_a,
                                                               timezone.localdate()),
                                      items[hidden.pk]: decision("Orientation PJJ.")})
    cellule.close_meeting(personas.coord_a, meeting, minutes="Deux situations revues.")
    cellule.schedule_meeting(personas.coord_a, personas.cell_a, held_at=timezone.now() + datetime.timedelta(days=9))
    meeting.seen, meeting.hidden = seen, hidden
    return meeting


needs_pango = pytest.mark.skipif(ctypes.util.find_library("pangoft2-1.0") is None,
                                 reason="WeasyPrint needs the system's Pango (.ci/run installs it)")


@needs_pango
def test_a_meetings_minutes_pdf_names_only_the_cases_its_reader_may_open(client, personas, closed):
    url = reverse("meetings:pdf", args=[closed.pk, "compte-rendu"])
    client.force_login(personas.member_a)
    text = pdf_text(client.get(url))
    assert "Compte rendu" in text and "Deux situations revues." in text and "Bilan scolaire." in text
    assert closed.seen.reference in text and closed.seen.person.initials in text
    assert closed.hidden.reference not in text and "Orientation PJJ." not in text
    assert closed.hidden.person.initials not in text.replace(closed.seen.person.initials, "")
    assert "Signalement non consultable" in text
    export = Event.objects.get(action="meeting.export", actor=personas.member_a)
    assert export.details == {"document": "compte rendu", "signalements": [closed.seen.reference],
                              "non consultables": 1}
    client.force_login(personas.coord_a)
    text = pdf_text(client.get(url))
    assert closed.seen.reference in text and closed.hidden.reference in text and "Orientation PJJ." in text
    assert Event.objects.filter(action="meeting.export").count() == 2


@needs_pango
def test_any_meetings_agenda_exports_and_minutes_wait_for_the_closing(client, personas, closed):
    client.force_login(personas.coord_a)
    later = closed.cell.meetings.exclude(pk=closed.pk).get()
    agenda = pdf_text(client.get(reverse("meetings:pdf", args=[closed.pk, "ordre-du-jour"])))
    assert "Ordre du jour" in agenda and closed.hidden.reference in agenda  # not the last meeting's only
    assert client.get(reverse("meetings:pdf", args=[later.pk, "ordre-du-jour"])).status_code == 200
    assert client.get(reverse("meetings:pdf", args=[later.pk, "compte-rendu"])).status_code == 404
    assert client.get(reverse("meetings:pdf", args=[closed.pk, "autre"])).status_code == 404
    client.force_login(personas.coord_b)
    assert client.get(reverse("meetings:pdf", args=[closed.pk, "ordre-du-jour"])).status_code == 404


def test_without_pango_the_export_says_what_is_missing_and_records_nothing(client, personas, closed, monkeypatch):
    def missing(name):
        raise OSError("cannot load library 'libpangoft2-1.0.so.0'")

    monkeypatch.setattr("ui.pdf.import_module", missing)
    client.force_login(personas.coord_a)
    response = client.get(reverse("meetings:pdf", args=[closed.pk, "compte-rendu"]), follow=True)
    assert response.redirect_chain == [(reverse("meetings:detail", args=[closed.pk]), 302)]
    assert "la bibliothèque système Pango manque" in response.content.decode()
    assert not Event.objects.filter(action="meeting.export").exists()


def test_a_closed_meeting_reads_as_text_for_its_coordinators_too(client, personas, closed):
    """Issue 28, point 13: its decisions and presences in words, not fields frozen in low-contrast grey."""
    client.force_login(personas.coord_a)
    page = client.get(reverse("meetings:detail", args=[closed.pk])).content.decode()
    assert "Décision : Poursuivre l&#x27;accompagnement — chargé de la suite" in page
    assert personas.member_a.get_full_name() in page and "Deux situations revues." in page
    assert "disabled" not in page and "<select" not in page and "<textarea" not in page
