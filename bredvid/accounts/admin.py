from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from bredvid.accounts.models import ApiToken, User


@admin.register(User)
class BredvidUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `manage.py issue_api_token`; here they can only be listed and revoked."""

    list_display = ("name", "user", "municipality", "created_at", "revoked_at")
    readonly_fields = ("user", "municipality", "name", "token_hash", "created_at")
    fields = ("user", "municipality", "name", "token_hash", "created_at", "revoked_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
