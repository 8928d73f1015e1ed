"""The demo's charter: every account whose role reads names has accepted the current version of the
confidentiality charter, through its entry point (one recorded acceptance each), so that the demo's pages
open at once. Run last, once every story has made its accounts; idempotent."""

from django.contrib.auth.models import User

from charter import actions
from charter.models import pending
from charter.rules import must_accept
from organisation.models import Membership


def accept_demo_charter() -> None:
    accounts = User.objects.filter(is_active=True, memberships__in=Membership.objects.active()).distinct()
    for user in accounts.order_by("pk"):
        version = pending(user.pk)
        if version is not None and must_accept(user):
            actions.accept_charter(user, version.number)
