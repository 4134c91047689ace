"""`load_demo` creates a usable, realistic demo and is idempotent."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

from bredvid.audit.services import verify_all
from bredvid.casework.ivo import build_report
from bredvid.casework.models import Case, Intervention
from bredvid.people.models import Person
from bredvid.tenancy.models import Municipality, Role


def test_load_demo_is_complete_and_idempotent(db, capsys, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_PASSWORD = "demo-lösenord-123"
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "caseworker.1440" in out and "Password: demo-lösenord-123" in out
    assert sorted(Municipality.objects.values_list("kommunkod", flat=True)) == ["1440", "2081", "2521"]
    users = get_user_model().objects.filter(username__endswith=".2521")
    assert sorted(u.username.split(".")[0] for u in users) == sorted(Role.values)
    assert users.first().check_password("demo-lösenord-123")
    counts = (Person.objects.count(), Case.objects.count())
    assert counts[0] >= 300
    assert Person.objects.exclude(protection_level="none").exists()
    assert set(Intervention.objects.values_list("status", flat=True)) >= {"pending", "active"}
    ale = Municipality.objects.get(kommunkod="1440")
    from django.utils import timezone

    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    assert build_report(ale, today.year, q)["rows"], "some decisions wait more than three months"
    from bredvid.supporters.models import InterestRegistration, Supporter

    assert set(Supporter.objects.values_list("status", flat=True)) == {
        "approved",
        "investigating",
        "paused",
        "ended",
    }
    assert set(InterestRegistration.objects.values_list("status", flat=True)) >= {
        "new",
        "contacted",
        "closed",
    }
    assert not Supporter.objects.filter(status="approved", latitude__isnull=True).exists()
    call_command("load_demo")
    assert (Person.objects.count(), Case.objects.count()) == counts
    assert verify_all().ok
