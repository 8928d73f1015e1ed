"""The organisation's receivers.

No account is ever saved as superuser or staff: rights come from roles (``organisation.rules``).
Whatever the path (the admin site, ``createsuperuser``, a shell), the save is refused before it
reaches the database. The first administrator is made by ``manage.py create_admin``.

At each login, the session is described for the list of one's sessions (``organisation.sessions``).
"""

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from audit.middleware import client_address
from organisation.models import AccountSession
from organisation.session_store import ADDRESS, DEVICE, device, forget
from organisation.sessions import still_open


@receiver(pre_save, sender=User)
def refuse_superuser_and_staff(sender, instance: User, **kwargs) -> None:
    if instance.is_superuser or instance.is_staff:
        raise PermissionDenied("Aucun compte n'est super-utilisateur ni « staff » : les droits viennent des rôles. "
                               "Le premier administrateur se crée avec « manage.py create_admin ».")


@receiver(user_logged_in, dispatch_uid="organisation.session_device")
def describe_session(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """What its owner will recognise the session by: the browser and system, the address. And the
    sessions that have ended by their limits go, with what they said of their owner (no timer runs
    ``clearsessions``; a login is frequent enough, and the table small)."""
    if request is not None and hasattr(request, "session"):
        request.session[DEVICE] = device(request.META.get("HTTP_USER_AGENT", ""))
        request.session[ADDRESS] = client_address(request)
    ended = AccountSession.objects.exclude(still_open())
    forget(ended.values_list("session_key", flat=True))
    ended.delete()
