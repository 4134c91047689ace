from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bredvid.audit"
    label = "audit"

    def ready(self) -> None:
        from bredvid.audit import signals  # noqa: F401
