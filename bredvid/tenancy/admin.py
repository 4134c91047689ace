from django.contrib import admin

from bredvid.core.admin import ServicesOnlyAdmin
from bredvid.tenancy.models import Membership, Municipality, Unit


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "kommunkod", "slug")
    search_fields = ("name", "kommunkod")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality")
    list_filter = ("municipality",)


@admin.register(Membership)
class MembershipAdmin(ServicesOnlyAdmin):
    """Read only: memberships change through the municipality's own administration (its services
    check the permission and write the audit event); they end by `active = False`, history stays."""

    list_display = ("user", "unit", "municipality", "role", "active")
    list_filter = ("municipality", "role", "active")
    search_fields = ("user__username", "user__last_name")
