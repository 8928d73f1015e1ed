"""The trail's receivers. Login and logout go to the audit trail; failed logins and logins refused
during a lockout are counted per minute and address (``audit.tallies``): one event per minute,
address and account aimed at, never one per try, so a flood of tries writes the trail at the
product's pace. After each migrate, on PostgreSQL, the sealing function as the code has it."""

from typing import Any, cast

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Field
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import HttpRequest

from audit import sealer, tallies
from audit.recorder import current, record
from audit.tallies import ANONYMOUS, LOCKOUTS, LOGIN_FAILURES

post_migrate.connect(sealer.after_migrate, dispatch_uid="audit.install_sealer")


@receiver(user_logged_in, dispatch_uid="audit.login")
def on_login(sender: object, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any) -> None:
    record("auth.login", obj=user, actor=user)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def on_logout(sender: object, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", obj=user, actor=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def on_login_failed(sender: object, credentials: dict[str, Any], request: HttpRequest | None = None,
                    **kwargs: Any) -> None:
    # Only the name that was typed, and only to find the account: never the password (Django masks
    # it, we don't even copy it), never the name itself when it is no account.
    _count(LOGIN_FAILURES, credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def on_locked_out(sender: object, request: HttpRequest | None, username: str | None, ip_address: str | None,
                  **kwargs: Any) -> None:
    _count(LOCKOUTS, username)


def _count(action: str, given: object) -> None:
    typed = str(given or "")
    user_model = get_user_model()
    limit = cast(Field, user_model._meta.get_field(user_model.USERNAME_FIELD)).max_length or 0
    account = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: typed}).first() \
        if 0 < len(typed) <= limit else None
    tallies.count(action, ip=current().ip, label=ANONYMOUS, account=account,
                  subject="" if account or not typed else tallies.unknown_name(typed))
