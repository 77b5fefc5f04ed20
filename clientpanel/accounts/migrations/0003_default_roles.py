"""Staff areas become permissions and a fresh install gets the default roles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEFAULT_ROLES = {
    "Administrator": ["area_view_clients", "area_edit_clients", "area_finance", "area_products", "area_settings",
                      "area_impersonate", "area_manage_staff"],
    "Support": ["area_view_clients", "area_edit_clients", "area_impersonate"],
    "Accountant": ["area_view_clients", "area_finance"],
    "Read-only": ["area_view_clients"],
}


def create_default_roles(apps, schema_editor):
    accounts = apps.get_app_config("accounts")
    accounts.models_module = True
    create_permissions(accounts, apps=apps, verbosity=0)
    accounts.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in DEFAULT_ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(Permission.objects.filter(content_type__app_label="accounts",
                                                            codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_alter_user_options_user_limited_to_assigned_clients_and_more"), ("auth", "0012_alter_user_first_name_max_length"),
                    ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(create_default_roles, migrations.RunPython.noop)]
