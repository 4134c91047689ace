from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "bredvid.people"
    label = "people"
