from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "bredvid.assignments"
    label = "assignments"
