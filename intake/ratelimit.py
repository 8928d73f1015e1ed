"""The rate limit of each service account: ``INTAKE_API_CALLS_PER_MINUTE`` calls per minute.

A fixed window of one clock minute, counted in the database: every gunicorn worker shares it (Django's
default cache is per process, which would multiply the limit by the number of workers), and the
API's volume (a source sends a few signalements a day) makes one row update per call cheap. At a
window's edge a source may send up to twice the limit within a minute, which the limit tolerates.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from intake.models import RateWindow, ServiceAccount

KEPT = datetime.timedelta(hours=1)


def wait(account: ServiceAccount) -> int:
    """Count this call; the seconds to wait before the next allowed one, 0 if this one may go on."""
    now = timezone.now()
    start = now.replace(second=0, microsecond=0)
    window = RateWindow.objects.filter(account=account, starts_at=start)
    with transaction.atomic():
        if not window.update(calls=F("calls") + 1):
            try:
                with transaction.atomic():
                    RateWindow.objects.create(account=account, starts_at=start, calls=1)
            except IntegrityError:  # a concurrent call of the same account opened the window first
                window.update(calls=F("calls") + 1)
            RateWindow.objects.filter(account=account, starts_at__lt=start - KEPT).delete()
        calls = window.values_list("calls", flat=True).get()
    return 0 if calls <= settings.INTAKE_API_CALLS_PER_MINUTE else max(1, 60 - now.second)
