from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "bredvid.supporters"
    label = "supporters"
