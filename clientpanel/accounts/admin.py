from django.contrib import admin

from clientpanel.core.admin_helpers import ReadOnlyAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("email", "firstname", "lastname", "is_staff", "is_active", "created_at")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email",)
    # Listed, not excluded, so a secret field added later stays hidden: never the password hash, the
    # TOTP secret, its last step or the recovery codes (issue 9).
    fields = ("email", "firstname", "lastname", "phone", "language", "email_verified", "is_staff", "is_superuser",
              "is_active", "limited_to_assigned_clients", "totp_confirmed_at", "groups", "created_at", "last_login")
    show_full_result_count = False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    fields = ("prefix", "user", "name", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at")
