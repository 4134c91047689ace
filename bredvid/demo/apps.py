from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make demo`: imports every app, and nothing imports it (ARCHITECTURE.md)."""

    name = "bredvid.demo"
    label = "demo"
    verbose_name = "Demo data"
