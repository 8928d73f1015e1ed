"""The Django groups that carry each role's permissions.

A user is never put in these groups by hand: ``organisation.policy.MembershipBackend`` grants a group's
permissions only while the user holds an active membership of that role. The groups are created by
migration; their permissions are re-synchronised from ``ROLE_PERMISSIONS`` after every ``migrate``,
once every model's permissions exist.
"""

from organisation.models import Role

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: [
        "organisation.view_departement", "organisation.view_cell", "organisation.view_institution",
        "organisation.view_membership", "organisation.add_membership", "organisation.change_membership",
        "workflows.view_caseprocess", "workflows.claim_contact_family", "workflows.claim_name_referent",
        "workflows.claim_decide_closure", "workflows.claim_team_answer", "workflows.claim_interview",
    ],
    Role.MEMBER: [
        "organisation.view_departement", "organisation.view_cell", "organisation.view_institution",
        "organisation.view_membership",
        "workflows.view_caseprocess", "workflows.claim_contact_family",
    ],
    Role.MOBILE_TEAM: ["workflows.view_caseprocess", "workflows.claim_mobile_request"],
    Role.INSPECTOR: [
        "organisation.view_departement", "organisation.view_cell", "organisation.view_membership", "audit.view_event",
    ],
    Role.NATIONAL: ["organisation.view_departement", "organisation.view_cell"],
    Role.ADMIN: [
        "auth.view_user", "auth.add_user", "auth.change_user",
        "organisation.view_departement",
        "organisation.view_cell", "organisation.add_cell", "organisation.change_cell",
        "organisation.view_institution", "organisation.add_institution", "organisation.change_institution",
        "organisation.view_membership", "organisation.add_membership", "organisation.change_membership",
        "organisation.view_mandate", "organisation.add_mandate", "organisation.change_mandate",
    ],
}


def group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups(sender=None, apps=None, **kwargs) -> None:
    """Give each role's group exactly the permissions of ``ROLE_PERMISSIONS`` (idempotent)."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = [tuple(code.split(".", 1)) for code in codes]
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
        group.permissions.set(permissions)
