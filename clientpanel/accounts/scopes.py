"""API scopes. A token holds every scope of its staff member unless issued with fewer."""

CLIENTS_READ = "clients:read"
CLIENTS_WRITE = "clients:write"

ALL_SCOPES = (CLIENTS_READ, CLIENTS_WRITE)


def scopes_of_staff(user) -> set[str]:
    """Every scope a staff member holds. Roles (SPEC §4) will narrow this; today staff hold all."""
    if not (user.is_active and user.is_staff):
        return set()
    return set(ALL_SCOPES)
