"""A person's notifications: their list (all, or the unread), opening one (marked read, then its
page), marking all read, and the choice of e-mail. Each shows or touches the person's own rows only:
another's notification answers 404, like a missing one, and the refusal is recorded."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from organisation import policy
from ui.forms import BaseForm, submit
from workflows.models import EmailChoice, Notification, NotificationPreference
from workflows.notices import choose_notification_email, read_notifications
from workflows.rules import NotificationRight

PAGE_SIZE = 25


def notification_list(request):
    """No personal data here (titles of references and events), so no read recorded: nothing to trace."""
    policy.require(request.user, NotificationRight.READ_NOTIFICATION)
    unread_only = request.GET.get("non-lues") == "1"
    mine = Notification.objects.of(request.user)
    page = Paginator((mine.unread() if unread_only else mine).order_by("-created_at", "-pk"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workflows/notifications.html", {
        "page": page, "unread_only": unread_only, "query": request.GET,
        "unread": mine.unread().count(),
    })


def open_notification(request, pk: int):
    """Opening a notification marks it read and leads to its page (where that page's rights apply)."""
    notification = policy.get_or_404(request.user, NotificationRight.READ_NOTIFICATION, Notification.objects.all(),
                                     pk=pk)
    read_notifications(request.user, [notification.pk])
    # Made by the product, the path is the product's own; checked all the same.
    if notification.path.startswith("/") and url_has_allowed_host_and_scheme(notification.path, {request.get_host()}):
        return redirect(notification.path)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request):
    read_notifications(request.user)
    return redirect("notifications:list")


class EmailForm(BaseForm):
    email = forms.ChoiceField(label="Recevoir mes notifications par courriel", choices=EmailChoice.choices,
                              widget=forms.RadioSelect)


def preferences(request):
    policy.require(request.user, NotificationRight.CHOOSE_NOTIFICATION_EMAIL)
    preference = NotificationPreference.objects.filter(user_id=request.user.pk).first()
    form = EmailForm(request.POST or None, initial={"email": preference.email if preference else EmailChoice.EACH})
    if submit(request, form, "Courriels de notification",
              lambda data: choose_notification_email(request.user, data["email"]),
              done="Votre choix de courriels est enregistré."):
        return redirect("notifications:preferences")
    return render(request, "workflows/notification_preferences.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
