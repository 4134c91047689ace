from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bredvid.core"
    label = "core"
