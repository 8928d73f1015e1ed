"""Login, failed login, lockout and logout go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.recorder import record


@receiver(user_logged_in, dispatch_uid="audit.login")
def on_login(sender, request, user, **kwargs) -> None:
    record("auth.login", obj=user, actor=user)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record("auth.logout", obj=user, actor=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the name that was typed: never the password (Django masks it, we don't even copy it).
    record("auth.login_failed", details={"username": str(credentials.get("username", ""))[:150]})


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record("auth.locked_out", details={"username": str(username or "")[:150]})
