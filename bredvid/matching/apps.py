from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "bredvid.matching"
    label = "matching"

    def ready(self) -> None:
        from bredvid.matching import signals  # noqa: F401  (keeps the feature arrays current)
