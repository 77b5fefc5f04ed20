from django.contrib.admin.apps import AdminConfig


class StaffSessionAdminConfig(AdminConfig):
    """Django's admin app with the site that reuses the staff login (admin_site.py)."""

    default_site = "clientpanel.backoffice.admin_site.StaffSessionAdminSite"
