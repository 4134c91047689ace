from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bredvid.api"
    label = "api"
