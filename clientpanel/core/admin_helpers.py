from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Django's admin (/django-admin/) is for superusers to inspect data. Every change goes through
    the services, which validate, lock and keep the denormalised columns right, so the admin
    never writes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
