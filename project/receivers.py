"""The project's receivers: a session's start is marked at login, for its limits
(``project.middleware.SessionLimitsMiddleware``), with the charter found accepted if it is
(``CharterMiddleware``: the pages after need not ask); after the whole migrate, the application's database
role gets its rights (``project.database``)."""

import time
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import HttpRequest

from charter.models import pending
from project.database import after_migrate
from project.middleware import CHARTER_CHECKED, SEEN, STARTED

# Sent after the whole migrate, once per app that has models (so never for this one).
post_migrate.connect(after_migrate, dispatch_uid="project.grant_runtime_privileges")


@receiver(user_logged_in, dispatch_uid="project.session_started")
def mark_start(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[STARTED] = request.session[SEEN] = time.time()
        if pending(user.pk) is None:
            request.session[CHARTER_CHECKED] = request.session[STARTED]
