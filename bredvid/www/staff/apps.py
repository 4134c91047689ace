from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "bredvid.www.staff"
    label = "staff"
