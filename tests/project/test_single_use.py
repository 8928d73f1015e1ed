"""Once means once: an invitation's link sets one password, even when the
invited person and whoever else holds the link submit at the same instant (threads, PostgreSQL).
The import's preview is tested in tests/intake/test_concurrency.py."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.models import Event
from tests.cases.test_concurrency import at_once
from tests.organisation.factories import UserFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
REPETITIONS = 5


def opened(link: str) -> tuple[Client, str]:
    """A browser that followed the link: the token is in its session, the form's address in hand."""
    browser = Client()
    page = browser.get(link, follow=True)
    assert "Choisir votre mot de passe" in page.content.decode()
    return browser, page.redirect_chain[-1][0]


def test_an_invitation_link_sets_one_password_when_submitted_twice_at_once():
    for n in range(REPETITIONS):
        invited = UserFactory(username=f"invitee{n}")
        invited.set_unusable_password()
        invited.save()
        link = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(invited.pk)),
                                                       default_token_generator.make_token(invited)])
        (mine, form), (theirs, _) = opened(link), opened(link)
        answers = at_once(*(lambda browser=browser, chosen=chosen, form=form: browser.post(form, {
            "new_password1": chosen, "new_password2": chosen}) for browser, chosen in (
            (mine, "une-phrase-solide-42"), (theirs, "une-autre-phrase-43"))))
        assert Event.objects.filter(action="user.password_set", actor=invited).count() == 1
        # The second is refused when it starts, or once the first has set the password: the same page.
        assert sorted(answer.status_code for answer in answers) == [200, 302]
        refused = next(answer for answer in answers if answer.status_code == 200)
        assert "Ce lien n'est plus valide : il a déjà servi" in refused.content.decode()
        invited.refresh_from_db()
        winner = "une-phrase-solide-42" if answers[0].status_code == 302 else "une-autre-phrase-43"
        assert invited.check_password(winner)
