from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "bredvid.casework"
    label = "casework"
