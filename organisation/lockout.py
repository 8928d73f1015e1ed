"""Lockout that fits a préfecture: an account is locked after a few failures, an address only after
many failures spread over several accounts.

Every agent of a préfecture reaches the product from the same egress address (its NAT). django-axes,
locking on ``["username", "ip_address"]`` with one limit, let one person's five typos lock all their
colleagues out for a quarter of an hour. django-axes has a single failure limit for every lockout
parameter; its maintainers' answer for a limit per parameter is a handler of one's own
(jazzband/django-axes#661), which this is.

- **The account** (``AXES_LOCKOUT_PARAMETERS = ["username"]``): ``LOGIN_FAILURE_LIMIT`` failures for
  one username, from anywhere, lock it for ``LOGIN_LOCKOUT_MINUTES``, as before; a success resets that
  account's count only.
- **The address**: its failures of the same window, each username counting for at most
  ``LOGIN_FAILURE_LIMIT`` (so a person retrying a locked account adds nothing more), lock every login
  from it once they reach ``LOGIN_ADDRESS_FAILURE_LIMIT``: a password spray across many usernames
  reaches it, one person's typos never can.

django-axes compares ``get_failures()`` with the account's limit, before the password is checked and
after each failure; the address's count is therefore given in units of that limit.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum, Value
from django.db.models.functions import Least


class AddressThrottlingHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        account = recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
        address = 0
        if request.axes_ip_address:  # none when what was received is no address: nothing to group by
            address = recent.filter(ip_address=request.axes_ip_address).aggregate(
                n=Sum(Least("failures_since_start", Value(limit))))["n"] or 0
        return max(account, address * limit // settings.LOGIN_ADDRESS_FAILURE_LIMIT)
