"""The second factor's pages: enrolment at the first login, the code at each login, recovery codes.

``SecondFactorMiddleware`` (``project.middleware``) sends a signed-in user who has not given their
second factor in this session here, before any other page.
"""

from django import forms
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

import audit
from organisation import second_factor, sessions
from ui.forms import BaseForm

PENDING = "second_factor_pending"  # the secret being enrolled, in the session until confirmed


class CodeForm(BaseForm):
    code = forms.CharField(label="Code à six chiffres de l'application, ou code de secours", max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}))


def _next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


def enrol(request):
    """Scan the QR code (or type the secret) in an authenticator application, then give its code."""
    if second_factor.device_of(request.user):
        return redirect("second_factor_verify")
    secret = request.session.setdefault(PENDING, second_factor.new_secret())
    form = CodeForm(request.POST or None)
    if form.is_bound and form.is_valid():
        step = second_factor.code_matches(secret, form.cleaned_data["code"])
        if step is not None:
            device, codes = second_factor.enrol(request.user, secret, step)
            sessions.end_sessions(request.user, request.user, keep=request.session.session_key,
                                  reason=sessions.EndReason.SECOND_FACTOR)
            del request.session[PENDING]
            otp_login(request, device)
            return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", "Ce code ne correspond pas : vérifiez l'heure du téléphone et saisissez le code "
                               "affiché maintenant.")
    uri = second_factor.provisioning_uri(request.user, secret)
    return render(request, "registration/second_factor_enrol.html", {
        "form": form, "qr": second_factor.qr_svg(uri), "secret": secret, "next": _next(request)},
        status=400 if form.is_bound else 200)


def verify(request):
    """The code of the authenticator application, or one of the recovery codes."""
    device = second_factor.device_of(request.user)
    if device is None:
        return redirect("second_factor_enrol")
    form = CodeForm(request.POST or None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        if second_factor.verify_totp(device, code) or second_factor.use_recovery_code(request.user, code):
            otp_login(request, device)
            audit.record("auth.second_factor", obj=request.user, actor=request.user)
            return redirect(_next(request))
        audit.record("auth.second_factor_failed", obj=request.user, actor=request.user)
        form.add_error("code", "Code refusé. Après plusieurs erreurs, il faut attendre avant de réessayer.")
    return render(request, "registration/second_factor_verify.html", {"form": form, "next": _next(request)},
                  status=400 if form.is_bound else 200)
