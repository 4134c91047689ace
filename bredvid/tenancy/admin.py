from django.contrib import admin

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
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "municipality", "role", "active")
    list_filter = ("municipality", "role", "active")
    readonly_fields = ("municipality",)
    autocomplete_fields = ("user",)
    search_fields = ("user__username", "user__last_name")

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # memberships end by `active = False`; history stays
