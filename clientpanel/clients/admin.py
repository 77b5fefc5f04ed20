from django.contrib import admin

from clientpanel.core.admin_helpers import ReadOnlyAdmin

from .models import Address, Client


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ("number", "display_name", "status", "billing_country", "currency", "balance", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("number", "display_name")
    show_full_result_count = False
    list_select_related = ("balance_row",)


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ("client", "type", "name", "country", "city", "is_default")
    list_filter = ("type",)
    raw_id_fields = ("client",)
    show_full_result_count = False
