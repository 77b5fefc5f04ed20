"""API scopes. A token holds every scope of its staff member unless issued with fewer, and at each
call only the scopes its staff member still holds count."""

from . import roles

CLIENTS_READ = "clients:read"
CLIENTS_WRITE = "clients:write"
USERS_READ = "users:read"
USERS_WRITE = "users:write"
GROUPS_READ = "groups:read"
GROUPS_WRITE = "groups:write"
FINANCE_READ = "finance:read"
FINANCE_WRITE = "finance:write"
SETTINGS_WRITE = "settings:write"
PRODUCTS_READ = "products:read"
PRODUCTS_WRITE = "products:write"

ALL_SCOPES = (CLIENTS_READ, CLIENTS_WRITE, USERS_READ, USERS_WRITE, GROUPS_READ, GROUPS_WRITE, FINANCE_READ,
              FINANCE_WRITE, SETTINGS_WRITE, PRODUCTS_READ, PRODUCTS_WRITE)

# Which staff area grants which scopes.
SCOPES_OF_AREA = {
    roles.VIEW_CLIENTS: {CLIENTS_READ, USERS_READ, GROUPS_READ, PRODUCTS_READ},
    roles.EDIT_CLIENTS: {CLIENTS_WRITE, USERS_WRITE},
    roles.SETTINGS: {GROUPS_READ, GROUPS_WRITE, SETTINGS_WRITE, FINANCE_READ},
    roles.FINANCE: {FINANCE_READ, FINANCE_WRITE},
    roles.PRODUCTS: {PRODUCTS_READ, PRODUCTS_WRITE},
}


def scopes_of_areas(areas) -> set[str]:
    """Every scope the staff areas grant."""
    scopes: set[str] = set()
    for area in areas:
        scopes |= SCOPES_OF_AREA.get(area, set())
    return scopes


def scopes_of_staff(user) -> set[str]:
    """Every scope a staff member holds through their roles."""
    return scopes_of_areas(roles.staff_areas(user))
