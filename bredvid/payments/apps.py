from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "bredvid.payments"
    label = "payments"
