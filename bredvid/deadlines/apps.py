from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "bredvid.deadlines"
    label = "deadlines"
