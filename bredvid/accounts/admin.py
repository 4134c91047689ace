from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts import services
from bredvid.accounts.models import ApiToken, User
from bredvid.core.admin import ServicesOnlyAdmin
from bredvid.core.errors import IllegalTransition


@admin.register(User)
class BredvidUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active")


@admin.register(ApiToken)
class ApiTokenAdmin(ServicesOnlyAdmin):
    """Tokens are issued by `manage.py issue_api_token`; here they are listed and revoked (a service)."""

    list_display = ("name", "user", "municipality", "created_at", "revoked_at")
    fields = ("user", "municipality", "name", "token_hash", "created_at", "revoked_at")
    actions = ("revoke",)

    @admin.action(description=gettext_lazy("Återkalla valda API-nycklar"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset:
            try:
                services.revoke_api_token(actor=request.user, token=token)  # type: ignore[arg-type]
            except IllegalTransition:
                continue  # already revoked
            revoked += 1
        self.message_user(
            request, _("%(count)d API-nycklar återkallade.") % {"count": revoked}, messages.SUCCESS
        )


# Second-factor devices are enrolled through the single-use link and its services (audited): the
# admin lists them, never adds, edits or shows their secrets (OTP_ADMIN_HIDE_SENSITIVE_DATA).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class ReadOnlyTOTPDeviceAdmin(ServicesOnlyAdmin, TOTPDeviceAdmin):
    pass


@admin.register(StaticDevice)
class ReadOnlyStaticDeviceAdmin(ServicesOnlyAdmin, StaticDeviceAdmin):
    pass
