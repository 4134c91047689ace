from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "bredvid.tenancy"
    label = "tenancy"
