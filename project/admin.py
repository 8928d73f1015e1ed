"""The technical administrator's site: accounts, cellules, institutions, and the administrators.

Entry is decided by the access policy (admin role only), never by ``is_staff``; every save goes
through the entry points of ``organisation.actions`` so it is audited; nothing is ever deleted
(a membership ends, an account is deactivated). Case content is never registered here, nor the
roles that open cases: the national level names coordinators, the mobile team and the inspection,
and requests inspection mandates (``organisation.views``); coordinators name their members. The
memberships listed here are the administrators' and the national officers', which an administrator
gives (never to itself).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

import audit
from audit.changes import snapshot
from organisation import actions as organisation
from organisation import policy, sessions
from organisation.errors import ActionRefused
from organisation.models import Cell, Institution, Membership
from organisation.rules import OrganisationRight, grantable_roles


class AdminSite(admin.AdminSite):
    site_header = "Cellule de suivi — administration technique"
    site_title = "Administration"
    index_title = "Comptes et données de référence"
    index_url = "/admin/"

    def has_permission(self, request) -> bool:
        return policy.can(request.user, OrganisationRight.MANAGE_REFERENCE_DATA)

    def login(self, request, extra_context=None):
        """One login page for the whole product: the admin's own is never shown.

        Django sends here whoever fails ``has_permission``: a signed-in user is refused instead.
        """
        if request.user.is_authenticated:
            raise policy.AccessDenied(request.user, OrganisationRight.MANAGE_REFERENCE_DATA)
        return redirect_to_login(request.GET.get("next", self.index_url), reverse("login"))


admin_site = AdminSite(name="admin")


class AuditedAdmin(admin.ModelAdmin):
    """Saves through ``organisation.actions.save_reference``; no deletion."""

    actions = None

    # Rights come from the access policy, not from Django's permissions: the admin role manages
    # the reference data, and nothing is ever deleted.
    def has_module_permission(self, request) -> bool:
        return policy.can(request.user, OrganisationRight.MANAGE_REFERENCE_DATA)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The snapshot must be taken before the form writes the posted values into the instance.
        if obj is not None:
            request._audit_before = snapshot(obj)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        organisation.save_reference(request.user, obj, getattr(request, "_audit_before", None))


@admin.register(User, site=admin_site)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    # Rights come from roles: no superuser or staff flag, no Django group or permission.
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "email"]}),
        ("Accès", {"fields": ["is_active", "last_login", "date_joined", "open_sessions"]}),
    ]
    readonly_fields = ["last_login", "open_sessions"]
    list_display = ["username", "email", "first_name", "last_name", "is_active"]
    list_filter = ["is_active"]
    actions = ["reset_second_factor"]

    @admin.action(description="Réinitialiser le second facteur (téléphone perdu)")
    def reset_second_factor(self, request, queryset) -> None:
        for user in queryset:
            try:
                organisation.reset_second_factor(request.user, user)
            except ActionRefused as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                self.message_user(request, f"Second facteur de {user} réinitialisé : il en enregistre un nouveau "
                                           "à sa prochaine connexion.")

    @admin.display(description="Sessions ouvertes")
    def open_sessions(self, user) -> str:
        count = sessions.open_counts([user.pk]).get(user.pk, 0) if user.pk else 0
        return format_html('{} — <a href="{}">les voir et y mettre fin</a>', count,
                           reverse("account_sessions", args=[user.pk])) if count else "aucune"

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and isinstance(response, HttpResponseRedirect):
                audit.record("user.password_change", object_type="auth.user", object_id=id)
                sessions.end_sessions(request.user, User.objects.get(pk=id), keep=request.session.session_key,
                                      reason=sessions.EndReason.PASSWORD)
        return response


@admin.register(Institution, site=admin_site)
class InstitutionAdmin(AuditedAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name"]


@admin.register(Cell, site=admin_site)
class CellAdmin(AuditedAdmin):
    list_display = ["departement", "chair_function", "meeting_periodicity", "installed_on"]
    list_select_related = ["departement"]


@admin.register(Membership, site=admin_site)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "institution", "function", "starts_on", "ends_on"]
    list_filter = ["role"]
    list_select_related = ["user", "institution"]
    exclude = ["cell", "contacts_families"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(role__in=grantable_roles(request.user))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = [(role.value, role.label) for role in grantable_roles(request.user)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        organisation.save_membership(request.user, obj)
