from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "bredvid.casework"
    label = "casework"

    def ready(self) -> None:
        from bredvid.audit.signing import register_signed_model
        from bredvid.casework.models import JOURNAL_SIGNED_FIELDS

        # verify_audit_chain recomputes the content hash of every signed entry (ADR 0008)
        register_signed_model(
            "casework.journalentry", fields=JOURNAL_SIGNED_FIELDS, signed={"status": "signed"}
        )
