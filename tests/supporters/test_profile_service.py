"""The matching profile is saved through supporters.services.save_profile."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bredvid.audit.models import Action, AuditEvent
from bredvid.core.errors import IllegalTransition
from bredvid.supporters import services
from bredvid.supporters.models import SupporterProfile
from tests.matching.factories import approved_supporter


def test_profile_saved_validated_and_audited(world) -> None:  # type: ignore[no-untyped-def]
    supporter = approved_supporter(world, kind="kontaktfamilj")
    officer = world.tenant("family_care_officer")
    profile = services.save_profile(
        tenant=officer, supporter=supporter, kind="kontaktfamilj", data={"children_at_once": 2, "pets": True}
    )
    assert SupporterProfile.objects.get(pk=profile.pk).children_at_once == 2
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(supporter.pk)).get()
    assert event.detail == {"profile": "kontaktfamilj"}

    with pytest.raises(ValidationError) as error:
        services.save_profile(tenant=officer, supporter=supporter, kind="kontaktfamilj", data={"age_min": -1})
    assert "age_min" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.save_profile(
            tenant=officer, supporter=supporter, kind="kontaktfamilj", data={"supporter": 1}
        )
    assert "supporter" in error.value.message_dict
    assert SupporterProfile.objects.get(pk=profile.pk).age_min == 0  # nothing half-saved


def test_profile_only_for_an_approved_kind_and_by_the_family_care_unit(world) -> None:  # type: ignore[no-untyped-def]
    supporter = approved_supporter(world, kind="kontaktfamilj")
    with pytest.raises(IllegalTransition):
        services.save_profile(
            tenant=world.tenant("family_care_officer"), supporter=supporter, kind="familjehem", data={}
        )
    with pytest.raises(PermissionDenied):
        services.save_profile(
            tenant=world.tenant("auditor"), supporter=supporter, kind="kontaktfamilj", data={}
        )
    assert SupporterProfile.objects.filter(support_kind="familjehem").count() == 0
