"""Staff areas and roles (SPEC §4). A role is a Django group holding area permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VIEW_CLIENTS = "area_view_clients"
EDIT_CLIENTS = "area_edit_clients"
FINANCE = "area_finance"
PRODUCTS = "area_products"
SETTINGS = "area_settings"
IMPERSONATE = "area_impersonate"
MANAGE_STAFF = "area_manage_staff"

# Labels in the reader's language (str() them to join or store).
AREAS: dict[str, Promise] = {
    VIEW_CLIENTS: _("View clients"),
    EDIT_CLIENTS: _("Edit clients"),
    FINANCE: _("Finance"),
    PRODUCTS: _("Products"),
    SETTINGS: _("Settings"),
    IMPERSONATE: _("Impersonate (Login as Owner)"),
    MANAGE_STAFF: _("Manage staff"),
}

# Roles a fresh install has (data migration); staff can create more.
DEFAULT_ROLES: dict[str, list[str]] = {
    "Administrator": list(AREAS),
    "Support": [VIEW_CLIENTS, EDIT_CLIENTS, IMPERSONATE],
    "Accountant": [VIEW_CLIENTS, FINANCE],
    "Read-only": [VIEW_CLIENTS],
}


def staff_areas(user) -> set[str]:
    """The areas an active staff member may use (superusers: all)."""
    if user is None or not (user.is_authenticated and user.is_active and user.is_staff):
        return set()
    if user.is_superuser:
        return set(AREAS)
    # One query for the areas granted directly or through roles (Django's get_all_permissions makes
    # two and reads every permission), kept on the user object for the request, as Django keeps its own.
    areas = getattr(user, "_clientpanel_areas", None)
    if areas is None:
        areas = user._clientpanel_areas = set(
            Permission.objects.filter(content_type__app_label="accounts", codename__startswith="area_")
            .filter(Q(user=user) | Q(group__user=user)).order_by().values_list("codename", flat=True).distinct())
    return set(areas)


def has_area(user, area: str) -> bool:
    return area in staff_areas(user)


def ensure_default_roles(**kwargs) -> None:
    """Give an install without any role the default ones (run after migrations, as Django creates
    permissions then). An install whose staff removed or renamed roles keeps its choice."""
    if Group.objects.exists():
        return
    for name, codenames in DEFAULT_ROLES.items():
        role = Group.objects.create(name=name)
        role.permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames))
