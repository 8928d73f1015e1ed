"""The technical administrator's site: accounts, cellules, institutions, and the administrators.

Entry is decided by the access policy (admin role only), never by ``is_staff``; every save goes
through the entry points of ``organisation.actions`` so it is audited; nothing is ever deleted
(a membership ends, an account is deactivated). Case content is never registered here, nor the
roles that open cases: the national level names its officers, coordinators, the mobile team and
the inspection, and requests inspection mandates (``organisation.views``); coordinators name their
members. The memberships listed here are the administrators', which an administrator gives (never
to itself). No password is ever typed here (``organisation.accounts``).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.html import format_html

from audit.changes import snapshot
from organisation import accounts, policy, sessions
from organisation import actions as organisation
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


class AccountForm(forms.ModelForm):
    """An account's identity and address, never its password: the holder chooses it from the link
    sent to this address. One active account per address (the composition pages find a person by it)."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email, is_active=True).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Un autre compte actif a déjà cette adresse.")
        return email


@admin.register(User, site=admin_site)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    # Rights come from roles: no superuser or staff flag, no Django group or permission. No password
    # either: the administrator never sets one (organisation.accounts).
    form = add_form = AccountForm
    fieldsets = [
        ("Identité", {"fields": ["username", "first_name", "last_name", "email"]}),
        ("Accès", {"fields": ["is_active", "last_login", "date_joined", "open_sessions", "recovery"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "first_name", "last_name", "email"],
                             "description": "Le compte reçoit à cette adresse le lien pour choisir son mot de passe ; "
                                            "son rôle lui est donné par qui le nomme."})]
    readonly_fields = ["last_login", "open_sessions", "recovery"]
    list_display = ["username", "email", "first_name", "last_name", "is_active"]
    list_filter = ["is_active"]

    def get_urls(self):
        """Without the page where Django's admin sets another person's password."""
        return [url for url in super().get_urls() if url.name != "auth_user_password_change"]

    @admin.display(description="Mot de passe et second facteur")
    def recovery(self, user: User) -> str:
        return format_html('<a href="{}?compte={}">Demander un nouveau lien ou la réinitialisation du second facteur '
                           "(approuvée par une seconde personne)</a>", reverse("account_recoveries"), user.username)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            accounts.save_account(request.user, obj, getattr(request, "_audit_before", {}))
        else:
            accounts.create_user_account(request.user, obj)

    @admin.display(description="Sessions ouvertes")
    def open_sessions(self, user: User) -> str:
        count = sessions.open_counts([user.pk]).get(user.pk, 0) if user.pk else 0
        return format_html('{} — <a href="{}">les voir et y mettre fin</a>', count,
                           reverse("account_sessions", args=[user.pk])) if count else "aucune"


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
