from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bredvid.accounts"
    label = "accounts"
