"""The portal's menu: each page with the permission key it needs (None: every signed-in user), in
the order shown. A page the user may not open is not offered (portal/access.py refuses it too)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientpanel.clients import permissions as keys

MENU = (
    ("portal:dashboard", _("Dashboard"), None),
    ("portal:services", _("Services"), keys.MANAGE_SERVICES),
    ("portal:order", _("Order"), keys.MANAGE_ORDERS),
    ("portal:invoices", _("Invoices"), keys.MANAGE_INVOICES),
    ("portal:transactions", _("Transactions"), keys.MANAGE_INVOICES),
    ("portal:files", _("Documents"), keys.VIEW_DOCUMENTS),
    ("portal:profile", _("Profile"), keys.MODIFY_MASTER_PROFILE),
    ("portal:addresses", _("Addresses"), keys.MODIFY_MASTER_PROFILE),
    ("portal:users", _("Users"), keys.MANAGE_USERS),
)


def menu_for(portal) -> list[tuple[str, str]]:
    """(address, label) of each page the signed-in user may open, for the client it acts for; Order
    not for a client sold nothing new (closed or fraud: Portal.takes_new_business)."""
    return [(reverse(name), label) for name, label, key in MENU
            if (key is None or (portal.manages_users if key == keys.MANAGE_USERS else portal.may(key)))
            and (name != "portal:order" or portal.takes_new_business)]
