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
    matching = _matching_counts()
    _assert_matching_demo()
    assignments = _assert_assignments_demo()
    call_command("load_demo")
    assert (Person.objects.count(), Case.objects.count()) == counts
    assert _matching_counts() == matching
    assert _assignments_counts() == assignments
    assert verify_all().ok


def _matching_counts() -> tuple[int, ...]:
    from bredvid.matching.models import Offer, ProtectedPlace, RequestRelative, RequestSibling, SupportRequest

    models = (SupportRequest, RequestSibling, ProtectedPlace, RequestRelative, Offer)
    return tuple(model.objects.count() for model in models)


def _assert_matching_demo() -> None:
    """Open requests of every kind in every municipality, and the demo supporters fit most of them."""
    from bredvid.core.choices import SupportKind
    from bredvid.demo.casework import _tenant
    from bredvid.matching import services
    from bredvid.matching.models import Offer, SupportRequest

    for municipality in Municipality.objects.all():
        requests = list(SupportRequest.objects.filter(municipality=municipality, status="open"))
        assert {r.support_kind for r in requests} == set(SupportKind.values), municipality.name
        assert [r.siblings.count() for r in requests].count(1) == 1, "one sibling group (two children)"
        protected = [r for r in requests if r.protected_places.exists()]
        assert len(protected) == 1 and protected[0].wishes
        assert sum(r.relatives.count() for r in requests) == 1, "one request with a relative"
        officer = _tenant(municipality, Role.FAMILY_CARE_OFFICER)
        shown = [services.shortlist(tenant=officer, support_request=r, k=20) for r in requests]
        non_empty = [s for s in shown if s.relatives or s.candidates]
        assert len(non_empty) >= 0.7 * len(requests), (municipality.name, len(non_empty), len(requests))
        assert any(s.relatives for s in shown), "the relative passes the hard rules and is listed first"
        assert all(c.candidate.distance_km is None for c in shown[requests.index(protected[0])].candidates)
        offers = Offer.objects.filter(municipality=municipality)
        assert set(offers.values_list("status", flat=True)) >= {"sent", "declined", "accepted"}
        assert all(o.decline_reason for o in offers.filter(status="declined"))


def test_the_demo_pays_its_assignments_in_attested_runs(db, settings) -> None:  # type: ignore[no-untyped-def]
    from bredvid.assignments.models import Assignment
    from bredvid.payments.models import PaymentLine, PaymentRun, RateTable

    settings.DEMO_PASSWORD = "demo-lösenord-123"
    call_command("load_demo")
    ale = Municipality.objects.get(kommunkod="1440")
    assert set(RateTable.objects.in_municipality(ale).values_list("year", flat=True)) >= {2025, 2026}
    runs = PaymentRun.objects.in_municipality(ale)
    if Assignment.objects.in_municipality(ale).exists():
        assert runs.exists() and not runs.exclude(status="attested").exists()
        assert runs.exclude(prepared_by=models_f("attested_by")).count() == runs.count()
    lines = PaymentLine.objects.count()
    call_command("load_demo")  # idempotent: nothing is paid twice
    assert PaymentLine.objects.count() == lines


def models_f(name: str):  # type: ignore[no-untyped-def]
    from django.db.models import F

    return F(name)


def _assignments_counts() -> tuple[int, ...]:
    from bredvid.assignments.models import Assignment, AssignmentChange, Report, Supervision

    return tuple(model.objects.count() for model in (Assignment, Report, AssignmentChange, Supervision))


def _assert_assignments_demo() -> tuple[int, ...]:
    """Each municipality: a kontaktperson and a kontaktfamilj with scope, levels and a year of reports."""
    from django.utils import timezone

    from bredvid.assignments.models import Assignment, Report
    from bredvid.assignments.unreported import unreported_for
    from bredvid.demo.casework import _tenant

    today = timezone.localdate()
    for municipality in Municipality.objects.all():
        assignments = list(Assignment.objects.filter(municipality=municipality))
        assert sorted(a.support_kind for a in assignments) == ["kontaktfamilj", "kontaktperson"]
        for a in assignments:
            assert a.scope_unit and a.planned_per_month and a.fee_level and a.allowance_level
            assert (today - a.start_on).days >= 365 and a.changes.count() == 2
            reports = a.reports.all()
            assert reports.filter(status=Report.Status.APPROVED).count() >= 0.8 * reports.count()
            months = {(r.starts_on.year, r.starts_on.month) for r in reports}
            assert len(months) >= 12, (municipality.name, a.support_kind, len(months))
        from bredvid.expenses.models import Expense

        expenses = Expense.objects.filter(municipality=municipality)
        assert expenses.filter(kind="trip", status="approved").count() == 3 * len(assignments)
        assert expenses.filter(kind="purchase", status="submitted").count() == len(assignments)
        total, _rows = unreported_for(_tenant(municipality, Role.FAMILY_CARE_OFFICER), today, mine=False)
        assert total == 1, "the kontaktperson's meetings stopped five weeks ago"
    return _assignments_counts()
