from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "bredvid.agreements"
    label = "agreements"
