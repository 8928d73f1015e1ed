"""The technical administrator's site for the reference data: cellules, institutions, and the
administrators' roles.

Entry is decided by the access policy (admin role only), never by ``is_staff``; every save goes
through the entry points of ``organisation.actions`` so it is audited; nothing is ever deleted
(a membership ends, an account is deactivated). Case content is never registered here, nor the
roles that open cases: the national level names its officers, coordinators, the mobile team and
the inspection, and requests inspection mandates (``organisation.views``); coordinators name their
members. The memberships listed here are the administrators', which an administrator gives (never
to itself). Accounts are not here: they are created, deactivated and got back on the product's own
pages (``organisation.account_pages``), where no password is ever typed.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from audit.changes import snapshot
from organisation import actions as organisation
from organisation import policy
from organisation.models import Cell, Institution, Membership
from organisation.rules import OrganisationRight, grantable_roles


class AdminSite(admin.AdminSite):
    site_header = "Cellule de suivi — administration technique"
    site_title = "Administration"
    index_title = "Données de référence"
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
