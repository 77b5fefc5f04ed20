"""Clients created before user links existed get their owner's link, with every permission."""

from django.db import migrations

ALL_PERMISSIONS = ["modify-master-profile", "manage-users", "manage-services", "manage-invoices", "manage-orders",
                   "view-documents", "manage-domains", "manage-support-tickets", "manage-affiliate"]


def link_owners(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    ClientUser = apps.get_model("clients", "ClientUser")
    linked = set(ClientUser.objects.values_list("client_id", "user_id"))
    ClientUser.objects.bulk_create([
        ClientUser(client_id=c.id, user_id=c.owner_id, permissions=ALL_PERMISSIONS)
        for c in Client.objects.only("id", "owner_id").iterator() if (c.id, c.owner_id) not in linked
    ], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_groups_users_assignments")]

    operations = [migrations.RunPython(link_owners, migrations.RunPython.noop)]
