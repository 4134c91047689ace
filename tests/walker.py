"""The URL walker: every page and API route, visited by everyone, checked against the tenancy rules.

`walk(world)` returns a list of failures (strings); tests/test_url_walker.py asserts it is empty.
A page or API route is covered the moment it is added to a urlconf or to the ninja API. The
walker enumerates every URLPattern through every include and namespace (static files aside) and
every operation of the OpenAPI schema, and checks:

Anonymous visitors
  pages answer a 302 to the login page, API routes a 401 (also with an invalid token), unless the
  view name is in `PUBLIC` with the statuses it may give. Every Django admin URL is walked too
  (anonymous → a login page; a signed-in user without is_staff never gets a 2xx).

Every role of the home municipality (pages: GET; API: every method, JSON body `{}`)
  never a 500 or an exception; a role the view's `permission_required` check refuses gets 403; a
  page without a required role gives 200 (405 for POST-only views); every URL naming an object
  must be reached (2xx/3xx) by some home role, or its 404 elsewhere would prove nothing. Last, an
  empty POST to every page never gives a 500.

Every role of the OTHER municipality
  URLs naming a home object answer 404, on GET and on POST (the form the home user sees, every
  field filled in), API routes on every method (body `{}`, or a complete body when it names a
  home object, e.g. `case_id`). A 403/405 is accepted only when it comes before any lookup: a
  non-existent id gets the same answer. (A role the view's `permission_required` refuses is not
  sent at all: the decorator answers 403 before the view runs, as checked for that role at home.)
  URLs naming two objects are also tried with the other municipality's own parent and the home
  child (its own case, the home decision): still 404. After the other municipality's requests
  to a URL no row of the home municipality has changed, and no response (pages and API, lists
  too) shows the home municipality's names, numbers, references or user names.

A caseworker of ANOTHER UNIT of the home municipality
  URLs (GET) and API routes naming a home object that the object's own scoping rule hides from them
  (`Model.objects.visible_to(tenant)`: a case of another unit and everything recorded on it, unless
  the municipality lets staff see every case) answer 404, like another municipality's.

URL keywords (and API query parameters and body fields named alike) are filled from `PARAMS`,
keyed by the keyword's name. An unknown keyword is a failure naming the URL: add the keyword here
(and, for a new model, a home object in `build_fixture`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.urls.resolvers import (
    _PATH_PARAMETER_COMPONENT_RE,
    LocalePrefixPattern,
    RegexPattern,
    RoutePattern,
)
from django.utils import timezone
from django.utils.regex_helper import normalize

# ---------------------------------------------------------------------------
# What anonymous visitors may open (view name → the statuses a GET may give).
# Everything else is a 302 to the login page (pages) or a 401 (API routes).
# ---------------------------------------------------------------------------
PUBLIC: dict[str, set[int]] = {
    "healthz": {200},
    "readyz": {200},
    "set_language": {302},  # a GET only redirects back; the POST sets the language cookie
    "accounts:login": {200},
    "accounts:enrol": {200},  # the single-use enrolment link: the token in the URL is the credential
    "admin:login": {200},  # Django admin's own login form (superusers only get further)
    "api-1:openapi-json": {200},
    "api-1:openapi-view": {200},
    "api-1:api-root": {404},  # ninja's internal root pattern: always a 404
    # Calendar apps cannot log in: the unguessable token in the URL is the credential.
    "staff:calendar_feed": {200},
    # The municipalities' public sites (bredvid/www/public): anonymous visitors, no personal data shown.
    "public:municipality_list": {200},
    "public:start": {200},
    # The application for support: the form; the receipt only right after a submission (else back to
    # the form); the second guardian's link (the token is the credential; a used or unknown one a 404).
    "public:application_new": {200},
    "public:application_receipt": {302},
    "public:application_consent": {200, 404},
    # sign-in with e-legitimation: a 404 while no eID broker is configured (as in the tests)
    "public:eid_start": {404},
    "public:eid_forget": {405},  # POST only
    "public:eid_callback": {404},
    # The interest registration; its receipt without this browser's reference goes back to the form.
    "public:interest_new": {200},
    "public:interest_receipt": {302},
    "public:contact_person": {200},
    "public:contact_family": {200},
    "public:foster_home": {200},
    "public:emergency_home": {200},
    "public:become_supporter": {200},
    "public:confidentiality": {200},
    "public:skolfam": {200},  # the walker's home municipality works with Skolfam
    "public:contact": {200},
    "public:accessibility": {200},
    "public:privacy": {200},
    "public:logo": {200},
    "public:theme": {200},
}

#: Statuses a signed-in user may get; anything else (above all a 500) is a failure.
PAGE_STATUSES = {200, 302, 403, 404, 405}
#: API 409: the object was found, but its state refuses the action (an answered offer): it counts as reached.
API_STATUSES = {200, 201, 204, 403, 404, 405, 409, 422}
OK_STATUSES = {200, 201, 204, 302}

SKIPPED_PREFIXES = ("static/", "media/")
BODY_METHODS = {"post", "put", "patch", "delete"}


# ---------------------------------------------------------------------------
# Objects in the home municipality the URLs are filled with
# ---------------------------------------------------------------------------
@dataclass
class Fixture:
    world: Any
    municipality: Any
    users: dict[str, Any]
    person: Any  # protected (sekretessmarkering), the caseworker named on it
    case: Any
    objects: dict[type, models.Model]
    markers: tuple[str, ...]
    values: dict[str, Any] = field(default_factory=dict)  # cache for capability values


def build_fixture(world: Any, *, other: bool = False) -> Fixture:
    """One object of every kind a URL can name, in the home (or other) municipality, traceable text.

    The other municipality's set is used to mix ids: its own case with the home municipality's
    decision must still be a 404.
    """
    from bredvid.casework.models import (
        Application,
        Case,
        CaseShare,
        ConcernReport,
        Decision,
        FollowUp,
        Intervention,
        Investigation,
        JournalEntry,
    )
    from bredvid.people.models import PersonStaffAccess, ProtectionLevel
    from tests.factories import PersonFactory

    today = timezone.localdate()
    users = world.other_users if other else world.users
    municipality, unit = (world.other, world.other_unit) if other else (world.home, world.home_unit)
    word = "Borta" if other else "Hemlig"  # in every text: the markers of the home municipality
    if not other:  # the home municipality publishes its site, with Skolfam and a logo
        from bredvid.tenancy.models import Municipality as _Municipality

        _Municipality.objects.filter(pk=municipality.pk).update(
            publishes_site=True,
            settings={**municipality.settings, "uses_skolfam": True},
            logo=b"\x89PNG\r\n\x1a\n",
            logo_type="image/png",
        )
    caseworker = users["caseworker"]
    manager = users["manager"]
    person = PersonFactory(
        municipality=municipality,
        first_name="Walkerina",
        last_name=f"{word}sdotter",
        protection_level=ProtectionLevel.SEKRETESSMARKERING,
    )
    PersonStaffAccess.objects.create(municipality=municipality, person=person, user=caseworker)
    client = PersonFactory(municipality=municipality, first_name="Walker", last_name=f"{word}vandrarsson")
    case = Case.objects.create(
        municipality=municipality,
        unit=unit,
        client=client,
        reference=f"WALK{word.upper()}-00001",
        responsible=caseworker,
        opened_on=today - dt.timedelta(days=30),
    )
    on_case = {"municipality": municipality, "case": case}
    application = Application.objects.create(
        **on_case,
        received_on=today - dt.timedelta(days=29),
        form=Application.Form.WRITTEN,
        applicant=Application.Applicant.GUARDIANS,
        support_kind="kontaktfamilj",
        description=f"{word} walkeransökan",
    )
    concern = ConcernReport.objects.create(
        **on_case,
        received_at=timezone.now() - dt.timedelta(days=28),
        reporter=ConcernReport.Reporter.SCHOOL,
        content=f"{word} walkeroro",
    )
    investigation = Investigation.objects.create(
        **on_case,
        application=application,
        started_on=today - dt.timedelta(days=27),
        status=Investigation.Status.CONCLUDED,
        concluded_on=today - dt.timedelta(days=2),
        conclusion=f"{word} walkerslutsats",
    )
    follow_up = FollowUp.objects.create(**on_case, investigation=investigation, started_on=today)
    decision = Decision.objects.create(
        **on_case,
        investigation=investigation,
        status=Decision.Status.DECIDED,
        outcome=Decision.Outcome.GRANTED,
        legal_basis=Decision.LegalBasis.SOL_13_7,
        support_kind="kontaktfamilj",
        period_start=today,
        reasons=f"{word} walkermotivering",
        proposed_by=caseworker,
        decided_by=manager,
        decided_on=today,
    )
    intervention = Intervention.objects.create(**on_case, decision=decision, support_kind="kontaktfamilj")
    journal = JournalEntry.objects.create(
        **on_case, author=caseworker, occurred_on=today, title=f"{word} walkeranteckning", text="Walkertext"
    )
    from bredvid.supporters.models import Assessment, InterestRegistration, Supporter

    registration = InterestRegistration.objects.create(
        municipality=municipality,
        received_at=timezone.now() - dt.timedelta(days=60),
        supports=["familjehem"],
        first_name="Walkerfrid",
        last_name=f"{word}anmälare",
        consent_text="Samtycke",
        consent_given_at=timezone.now() - dt.timedelta(days=60),
    )
    supporter = Supporter.objects.create(
        municipality=municipality,
        name=f"Familjen {word}walker",
        status=Supporter.Status.APPROVED,
        supports=["familjehem", "kontaktfamilj"],
        approved_supports=["familjehem", "kontaktfamilj"],
        registration=registration,
        responsible=users["family_care_officer"],
        approved_on=today,
        latitude=57.95,
        longitude=12.10,
    )
    assessment = Assessment.objects.create(
        municipality=municipality,
        supporter=supporter,
        status=Assessment.Status.APPROVED,
        officer=users["family_care_officer"],
        started_on=today - dt.timedelta(days=50),
        conclusion=f"{word} walkerbedömning",
        supports=["familjehem"],
        approved_by=manager,
        decided_on=today,
    )
    from bredvid.matching.models import Offer, SupportRequest
    from bredvid.supporters.models import SupporterProfile

    # the supporter fits the request (so an offer to it can be sent); the offer goes to another home
    SupporterProfile.objects.create(
        municipality=municipality, supporter=supporter, support_kind="kontaktfamilj", age_max=99
    )
    second_decision = Decision.objects.create(
        **on_case, investigation=investigation, status=Decision.Status.DECIDED,
        outcome=Decision.Outcome.GRANTED, legal_basis=Decision.LegalBasis.SOL_13_7,
        support_kind="kontaktfamilj", period_start=today, reasons=f"{word} walkerbeslut 2",
        proposed_by=caseworker, decided_by=manager, decided_on=today,
    )  # fmt: skip
    ordered = Intervention.objects.create(**on_case, decision=second_decision, support_kind="kontaktfamilj")
    support_request = SupportRequest.objects.create(
        **on_case, intervention=ordered, support_kind="kontaktfamilj", ordered_by=caseworker,
        ordered_on=today, location_name=f"{word} walkerskola", latitude=57.93, longitude=12.07,
        max_distance_km=30, start_on=today, wishes=f"{word} walkerönskemål",
    )  # fmt: skip
    asked = Supporter.objects.create(
        municipality=municipality, name=f"Familjen {word}tillfrågad", status=Supporter.Status.APPROVED,
        supports=["kontaktfamilj"], approved_supports=["kontaktfamilj"], approved_on=today,
    )  # fmt: skip
    offer = Offer.objects.create(
        municipality=municipality, request=support_request, supporter=asked, sent_by=users["family_care_officer"],
        sent_on=today, expires_on=today + dt.timedelta(days=7), note=f"{word} walkerförfrågan",
    )  # fmt: skip
    share = CaseShare.objects.create(
        municipality=municipality,
        case=case,
        user=users["manager"],
        reason=f"{word} walkerdelning",
        shared_by=caseworker,
    )
    from bredvid.casework.models import EApplication

    # an application from the e-service waiting for the second guardian (its link: `consent_token`)
    eapplication = EApplication.objects.create(
        municipality=municipality, reference=f"EA-WALK{word.upper()}", status=EApplication.Status.AWAITING_CONSENT,
        received_at=timezone.now(), applicant_kind=Application.Applicant.GUARDIANS, first_name="Walkerbarn",
        last_name=f"{word}ansökare", identity_number=client.identity_number, joint_custody=True,
        second_guardian_email="walker@example.org", support_kind="kontaktperson", description=f"{word} walkerbehov",
        contact_by=EApplication.ContactBy.EMAIL, email="walker@example.org",
        consent_token_hash=hashlib.sha256(f"walker{word}".encode()).hexdigest(),
        consent_expires_at=timezone.now() + dt.timedelta(days=14),
    )  # fmt: skip
    from bredvid.assignments.models import Assignment, Report

    # an assignment on the case's first intervention, with a submitted stay report
    assignment = Assignment.objects.create(
        municipality=municipality, supporter=asked, intervention=intervention, support_kind="kontaktfamilj",
        start_on=today - dt.timedelta(days=40), scope_unit="days", planned_per_month=2, fee_level="1",
        created_by=users["family_care_officer"],
    )  # fmt: skip
    stay = Report.objects.create(
        municipality=municipality, assignment=assignment, kind=Report.Kind.STAY, status=Report.Status.SUBMITTED,
        starts_on=today - dt.timedelta(days=10), ends_on=today - dt.timedelta(days=8),
        arrives_at=dt.time(17, 0), departs_at=dt.time(15, 0), note=f"{word} walkervistelse",
        created_by=users["family_care_officer"],
    )  # fmt: skip
    money = _assignment_objects(municipality, users, assignment, word)
    from bredvid.tenancy.models import Membership

    # the municipality's administration names a unit, a membership and a user (the caseworker)
    membership = Membership.objects.get(user=caseworker, unit=unit, role="caseworker")
    from bredvid.payments.models import PaymentRun, Rate, RateTable
    from bredvid.payments.services import seed_known_years

    # payments: the year's rate table and one of its figures, and a prepared run of a past month
    seed_known_years(municipality=municipality)
    rate_table = RateTable.objects.get(municipality=municipality, year=2026)
    rate = Rate.objects.filter(table=rate_table).first()
    payment_run = PaymentRun.objects.create(
        municipality=municipality,
        period=dt.date(2026, 3, 1),
        prepared_by=users["manager"],
        prepared_at=timezone.now(),
    )
    objects = {
        type(o): o
        for o in (
            unit,
            membership,
            share,
            support_request,
            offer,
            person,
            case,
            application,
            concern,
            investigation,
            follow_up,
            decision,
            intervention,
            journal,
            registration,
            supporter,
            assessment,
            eapplication,
            rate_table,
            rate,
            payment_run,
            assignment,
            stay,
            *money,
        )
    }
    markers = (
        person.last_name,
        person.identity_number,
        client.last_name,
        client.identity_number,
        case.reference,
        journal.title,
        concern.content,
        registration.last_name,
        supporter.name,
        support_request.location_name,
        offer.note,
        eapplication.last_name,
        *(m.description for m in money if hasattr(m, "description")),
        stay.note,
        *(user.username for user in users.values()),
    )
    return Fixture(
        world=world,
        municipality=municipality,
        users=users,
        person=person,
        case=case,
        objects=objects,
        markers=markers,
    )


def _assignment_objects(municipality: Any, users: Any, assignment: Any, word: str) -> list[Any]:
    """The assignment's expense (a receipt in storage) and agreement version (its PDF stored)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from bredvid.agreements.models import Agreement, AgreementVersion
    from bredvid.expenses.models import Expense, Receipt

    officer = users["family_care_officer"]
    expense = Expense.objects.create(
        municipality=municipality, assignment=assignment, kind=Expense.Kind.PURCHASE,
        description=f"{word} walkerinköp", incurred_on=timezone.localdate(), requested_amount=100,
        approved_amount=100, status=Expense.Status.APPROVED, created_by=officer,
    )  # fmt: skip
    data = b"%PDF-1.4 walker"
    receipt = Receipt.objects.create(
        municipality=municipality, expense=expense, file=default_storage.save("receipts/w.pdf", ContentFile(data)),
        content_type="application/pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    agreement = Agreement.objects.create(municipality=municipality, assignment=assignment, created_by=officer)
    version = AgreementVersion.objects.create(
        municipality=municipality, agreement=agreement, number=1, terms={"start_on": "2027-06-15"},
        pdf=default_storage.save("agreements/w.pdf", ContentFile(data)), sha256=hashlib.sha256(data).hexdigest(),
        size=len(data), created_by=officer,
    )  # fmt: skip
    return [expense, receipt, agreement, version]


# ---------------------------------------------------------------------------
# The registry: how each URL keyword is filled
# ---------------------------------------------------------------------------
class UnknownParam(Exception):
    pass


@dataclass(frozen=True)
class Param:
    value: Callable[[Fixture, Endpoint], Any]
    #: "object": names an object of the home municipality; the other municipality must get a 404.
    #: "value": not an object (a year, a format); each municipality gets its own data for it.
    #:   (Also a public site's slug: every visitor sees the same public pages.)
    #: "capability": the value itself is the credential (a feed token); whoever holds it may see.
    kind: str = "object"

    @property
    def scoped(self) -> bool:
        return self.kind == "object"


def object_id_models() -> dict[str, type[models.Model]]:
    """Which model `object_id` names on the pages that call it so (actions name theirs: `entry_id`)."""
    from bredvid.casework.models import Decision
    from bredvid.supporters.models import InterestRegistration, Supporter

    return {
        "staff:decision_pdf": Decision,
        "staff:registration_detail": InterestRegistration,
        "staff:supporter_detail": Supporter,
        "staff:supporter_approval_pdf": Supporter,
    }


def api_object_id_models() -> dict[str, type[models.Model]]:
    """API routes name the model by the collection before `{object_id}`: /decisions/{object_id}."""
    from bredvid.casework.models import (
        Application,
        ConcernReport,
        Decision,
        Intervention,
        Investigation,
        JournalEntry,
    )
    from bredvid.matching.models import Offer, SupportRequest
    from bredvid.payments.models import PaymentRun
    from bredvid.supporters.models import Assessment, InterestRegistration, Supporter

    return {
        "payment-runs": PaymentRun,
        "interest-registrations": InterestRegistration,
        "supporters": Supporter,
        "assessments": Assessment,
        "applications": Application,
        "concern-reports": ConcernReport,
        "investigations": Investigation,
        "decisions": Decision,
        "interventions": Intervention,
        "journal-entries": JournalEntry,
        "support-requests": SupportRequest,
        "offers": Offer,
        "agreements": apps.get_model("agreements", "Agreement"),
        "expenses": apps.get_model("expenses", "Expense"),
        "assignments": _model("assignments", "Assignment"),
        "reports": _model("assignments", "Report"),
    }


def _object_id(fx: Fixture, ep: Endpoint) -> Any:
    if ep.kind == "api":
        collection = re.search(r"([\w-]+)/\{object_id\}", ep.route)
        model = api_object_id_models().get(collection[1] if collection else "")
    else:
        model = object_id_models().get(ep.name)
    if model is None:
        raise UnknownParam(
            f"{ep.name} takes `object_id` but the walker does not know which model it names: "
            "add it to object_id_models() (pages) or api_object_id_models() in tests/walker.py"
        )
    return _home_object(fx, model)


def _home_object(fx: Fixture, model: type[models.Model]) -> Any:
    obj = fx.objects.get(model)
    if obj is None:
        raise UnknownParam(
            f"the walker has no home {model.__name__}: create one in build_fixture() in tests/walker.py"
        )
    return obj.pk


def _model(app_label: str, name: str) -> type[models.Model]:
    return apps.get_model(app_label, name)


def _calendar_token(fx: Fixture, ep: Endpoint) -> str:
    """A real feed token of the caseworker, so the feed is rendered, not just refused."""
    if "calendar" not in fx.values:
        from bredvid.deadlines.models import CalendarFeed

        raw, digest = CalendarFeed.generate()
        CalendarFeed.objects.create(
            user=fx.users["caseworker"], municipality=fx.municipality, token_hash=digest
        )
        fx.values["calendar"] = raw
    return fx.values["calendar"]


def _last_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    quarter = (today.month - 1) // 3
    return (today.year, quarter) if quarter else (today.year - 1, 4)


PARAMS: dict[str, Param] = {
    "person_id": Param(lambda fx, ep: fx.person.pk),
    "case_id": Param(lambda fx, ep: fx.case.pk),
    "object_id": Param(_object_id),
    # API bodies: supporter_ids (offers) name home supporters.
    "supporter_id": Param(lambda fx, ep: _home_object(fx, _model("supporters", "Supporter"))),
    # A calendar feed's secret token: the token is the credential (no session, no tenant).
    "token": Param(_calendar_token, kind="capability"),
    # IVO reports are addressed by period; each municipality sees its own report for it.
    "year": Param(lambda fx, ep: _last_quarter()[0], kind="value"),
    "quarter": Param(lambda fx, ep: _last_quarter()[1], kind="value"),
    "fmt": Param(lambda fx, ep: "pdf", kind="value"),
    # Matching pages: the order form names the case's intervention; requests and offers by their id.
    "intervention_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "Intervention"))),
    "request_id": Param(lambda fx, ep: _home_object(fx, _model("matching", "SupportRequest"))),
    "offer_id": Param(lambda fx, ep: _home_object(fx, _model("matching", "Offer"))),
    # Actions name the object they work on after its model.
    "application_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "Application"))),
    "report_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "ConcernReport"))),
    "investigation_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "Investigation"))),
    "follow_up_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "FollowUp"))),
    "decision_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "Decision"))),
    "entry_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "JournalEntry"))),
    "share_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "CaseShare"))),
    "registration_id": Param(lambda fx, ep: _home_object(fx, _model("supporters", "InterestRegistration"))),
    "eapplication_id": Param(lambda fx, ep: _home_object(fx, _model("casework", "EApplication"))),
    # The second guardian's link to the home municipality's e-application (the token is the credential).
    "consent_token": Param(
        lambda fx, ep: f"{_home_object(fx, _model('casework', 'EApplication')).hex}.walkerHemlig",
        kind="capability",
    ),
    # The municipality's administration: a user (by their role here), a unit, one membership.
    "user_id": Param(lambda fx, ep: fx.users["caseworker"].pk),
    # A public site is the home municipality's (its slug).
    "slug": Param(lambda fx, ep: fx.world.home.slug, kind="value"),
    # A public page's text in the administration: which page, which language (each municipality its own).
    "page": Param(lambda fx, ep: "start", kind="value"),
    "language": Param(lambda fx, ep: "sv", kind="value"),
    "unit_id": Param(lambda fx, ep: _home_object(fx, _model("tenancy", "Unit"))),
    "membership_id": Param(lambda fx, ep: _home_object(fx, _model("tenancy", "Membership"))),
    # Payments: a run, a year's rate table and one figure of it; a line kind's löneart (each municipality its own).
    "run_id": Param(lambda fx, ep: _home_object(fx, _model("payments", "PaymentRun"))),
    "table_id": Param(lambda fx, ep: _home_object(fx, _model("payments", "RateTable"))),
    "rate_id": Param(lambda fx, ep: _home_object(fx, _model("payments", "Rate"))),
    "kind": Param(lambda fx, ep: "fee", kind="value"),
    # Agreements and expenses hang off an assignment (their pages: /uppdrag/<assignment_id>/…).
    "assignment_id": Param(lambda fx, ep: _home_object(fx, _model("assignments", "Assignment"))),
    "version_id": Param(lambda fx, ep: _home_object(fx, _model("agreements", "AgreementVersion"))),
    "expense_id": Param(lambda fx, ep: _home_object(fx, _model("expenses", "Expense"))),
    "receipt_id": Param(lambda fx, ep: _home_object(fx, _model("expenses", "Receipt"))),
    # A meeting or stay report ("report_id" is a concern report).
    "assignment_report_id": Param(lambda fx, ep: _home_object(fx, _model("assignments", "Report"))),
}

#: API query parameters the walker sends whenever an operation has them.
QUERY_VALUES: dict[str, str] = {
    "reason": "Walkerns behörighetskontroll",  # a protected person is shown with a reason
}

#: Django admin's own keywords. The admin is global (superusers only, no tenant); the walker
#: only checks that anonymous visitors and staff without is_staff are sent to a login page.
ADMIN_PARAMS: dict[str, Any] = {
    "app_label": "tenancy",
    "object_id": "1",
    "content_type_id": "1",
    "pk": 1,
    "id": "1",
    "url": "walker-does-not-exist/",
}


# ---------------------------------------------------------------------------
# Enumerating URL patterns
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    kind: str  # "page", "admin" or "api"
    name: str  # "staff:person_detail"; an unnamed pattern: its route
    route: str
    params: tuple[str, ...]
    callback: Any = None
    patterns: tuple[Any, ...] = ()
    method: str = "get"  # API routes: one endpoint per method
    operation: Any = field(default=None, compare=False)  # API routes: the OpenAPI operation

    @property
    def label(self) -> str:
        return self.name if self.name == self.route else f"{self.name} ({self.route})"


def _pattern_params(pattern: Any) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def iter_endpoints(urlconf: str | None = None) -> Iterator[Endpoint]:
    """Every URLPattern reachable from the root urlconf, through every include and namespace."""

    def visit(resolver: URLResolver, prefix: tuple[Any, ...], namespace: str) -> Iterator[Endpoint]:
        for entry in resolver.url_patterns:
            chain = (*prefix, entry.pattern)
            route = "".join(str(p) for p in chain)
            if isinstance(entry, URLResolver):
                ns = ":".join(part for part in (namespace, entry.namespace) if part)
                yield from visit(entry, chain, ns)
                continue
            assert isinstance(entry, URLPattern)
            if route.lstrip("^").startswith(SKIPPED_PREFIXES):
                continue
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or route
            top = namespace.split(":")[0]
            kind = "admin" if top == "admin" else "api" if top.startswith("api-") else "page"
            params = tuple(p for piece in chain for p in _pattern_params(piece))
            yield Endpoint(kind, name, route, params, entry.callback, chain)

    yield from visit(get_resolver(urlconf), (), "")


def build_path(ep: Endpoint, values: dict[str, Any]) -> str:
    parts = []
    for pattern in ep.patterns:
        if isinstance(pattern, RoutePattern):
            route: str = pattern._route

            def fill(match: re.Match[str], pattern: RoutePattern = pattern) -> str:
                name = match["parameter"]
                return str(pattern.converters[name].to_url(values[name]))

            parts.append(_PATH_PARAMETER_COMPONENT_RE.sub(fill, route))
        elif isinstance(pattern, RegexPattern):
            template, names = normalize(pattern.regex.pattern)[0]
            parts.append(template % {name: values[name] for name in names})
        elif isinstance(pattern, LocalePrefixPattern):
            parts.append(pattern.language_prefix)
        else:  # pragma: no cover - a new pattern class
            raise UnknownParam(f"unknown pattern class {type(pattern).__name__}")
    return "/" + "".join(parts)


def fill_params(ep: Endpoint, fx: Fixture) -> tuple[dict[str, Any], set[str]]:
    """Values for the endpoint's keywords, and the names of those that name a home object."""
    values: dict[str, Any] = {}
    scoped: set[str] = set()
    for name in ep.params:
        if ep.kind == "admin":
            if name not in ADMIN_PARAMS:
                raise UnknownParam(f"admin URL keyword `{name}` is not in ADMIN_PARAMS in tests/walker.py")
            values[name] = ADMIN_PARAMS[name]
            continue
        param = PARAMS.get(name)
        if param is None:
            raise UnknownParam(
                f"URL keyword `{name}` is not in the walker's registry: add it to PARAMS in "
                "tests/walker.py (and a home object to build_fixture) so the page is checked"
            )
        values[name] = param.value(fx, ep)
        if param.scoped:
            scoped.add(name)
    return values, scoped


def _nonexistent(value: Any) -> Any:
    if isinstance(value, int):
        return 2_000_000_000
    return uuid.uuid4()


# ---------------------------------------------------------------------------
# API inputs: query parameters and JSON bodies that name home objects
# ---------------------------------------------------------------------------
def _resolve_ref(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A plausible value for a JSON schema: the first choice, today, a short text, the minimum."""
    schema = _resolve_ref(schema, components)
    if "example" in schema:  # a value of a pattern (a local time of day)
        return schema["example"]
    if "enum" in schema:
        return next((v for v in schema["enum"] if v not in ("", None)), schema["enum"][0])
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return _example(options[0], components) if options else None
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "string":
        if fmt == "date":
            return timezone.localdate().isoformat()
        if fmt == "date-time":
            return timezone.now().isoformat()
        if fmt == "time":
            return "12:00"
        if fmt == "uuid":
            return str(uuid.uuid4())
        return "Walkerns testvärde"[: schema.get("maxLength", 100)]
    if kind in {"integer", "number"}:
        return min(max(schema.get("minimum", 1), 1), schema.get("maximum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        # every field (optional ones too: domain rules may need them), but no ids of unknown objects
        return {
            name: _example(prop, components)
            for name, prop in schema.get("properties", {}).items()
            if not name.endswith("_id") or name in schema.get("required", [])
        }
    return None


def api_inputs(ep: Endpoint, fx: Fixture) -> tuple[str, dict[str, Any], set[str]]:
    """The query string and JSON body for an API operation, and the body fields naming home objects.

    Query parameters and body fields named like a registry keyword (`case_id`) get the home object,
    so a list filtered by another municipality's case, or a record created on it, is checked too.
    A required body field ending in `_id` that the registry does not know is a failure.
    """
    operation = ep.operation or {}
    components = operation.get("components", {})
    query = {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter.get("in") != "query":
            continue
        if name in PARAMS and PARAMS[name].scoped:
            query[name] = str(PARAMS[name].value(fx, ep))
        elif name in QUERY_VALUES:
            query[name] = QUERY_VALUES[name]
    body: dict[str, Any] = {}
    ids: set[str] = set()
    content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
    if content:
        schema = _resolve_ref(content["schema"], components)
        example = _example(schema, components)
        for name in schema.get("properties", {}):
            param = PARAMS.get(name)
            single = PARAMS.get(name[:-1]) if name.endswith("_ids") else None
            if param is not None and param.scoped:
                example[name] = str(param.value(fx, ep))
                ids.add(name)
            elif single is not None and single.scoped:  # supporter_ids: a list of home objects
                example[name] = [str(single.value(fx, ep))]
                ids.add(name)
            elif name.endswith("_id") and name in schema.get("required", []):
                raise UnknownParam(
                    f"required body field `{name}` is not in the walker's registry: add it to PARAMS "
                    "in tests/walker.py so the route is checked with another municipality's object"
                )
        # a body that names no home object stays empty: the route must refuse it, never crash;
        # a route naming its object in the path whose body has required fields (an offer's answer)
        # gets the complete body too, or no home role could reach the object
        names_object = any(PARAMS[p].scoped for p in re.findall(r"{(\w+)}", ep.route) if p in PARAMS)
        body = example if ids or (names_object and schema.get("required")) else {}
    return (f"?{urlencode(query)}" if query else ""), body, ids


# ---------------------------------------------------------------------------
# Forms: the POST a home user would send, replayed by the other municipality
# ---------------------------------------------------------------------------
class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "fields": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        fields: list[list[Any]] = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "reset", "file", "image"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a or (kind == "radio" and not any(f[0] == name for f in fields)):
                    fields.append([name, a.get("value", "on"), kind])
                return
            fields.append([name, a.get("value", ""), kind])
        elif tag == "select" and name:
            self._select = name
            fields.append([name, None, "select"])
        elif tag == "option" and self._select:
            current = next(f for f in reversed(fields) if f[0] == self._select)
            value = a.get("value", "")
            if "selected" in a or (current[1] in (None, "") and value):
                current[1] = value
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append([name, "", "textarea"])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][-1][1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _blank_value(kind: str) -> str:
    now = timezone.localtime()
    return {
        "date": now.date().isoformat(),
        "datetime-local": now.strftime("%Y-%m-%dT%H:%M"),
        "time": "12:00",
        "number": "1",
        "email": "walker@example.org",
    }.get(kind, "Walkerns testvärde")


def harvest_form(html: str, path: str) -> dict[str, Any]:
    """The page's own POST form (not the logout or language forms), every field filled in."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] == "post" and form["action"] in ("", path):
            data: dict[str, list[str]] = {}
            for name, value, kind in form["fields"]:
                value = value or ""
                if not value.strip() and kind not in {"hidden", "checkbox", "radio"}:
                    value = _blank_value(kind)
                data.setdefault(name, []).append(value)
            return data
    return {}


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------
@dataclass
class _Raised:
    """A view that raised: reported like a 500, with the exception."""

    exc: BaseException
    status_code: int = 500
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return default


def _text(response: Any) -> str:
    kind = response.headers.get("Content-Type", "")
    if not kind.startswith(("text/", "application/json")) or getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def home_snapshot(home: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of bredvid's models that belongs to the home municipality (audit log excluded).

    Raw SQL (one SELECT per table): the walker takes this snapshot around every batch of requests
    by the other municipality, and the ORM's query building would be most of its cost.
    """
    quote = connection.ops.quote_name
    snapshot = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            config = model._meta.app_config
            if not config.name.startswith("bredvid.") or config.label == "audit":
                continue
            # last_login changes when the walker signs a user in again after a log-out
            columns = [f.column for f in model._meta.concrete_fields if f.name != "last_login"]
            sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"
            params: list[Any] = []
            if model._meta.label == "tenancy.Municipality":  # the home municipality's own row
                sql += f" WHERE {quote(model._meta.pk.column)} = %s"
                params.append(model._meta.pk.get_db_prep_value(home.pk, connection))
            elif any(f.name == "municipality" for f in model._meta.concrete_fields):
                field = model._meta.get_field("municipality")
                sql += f" WHERE {quote(field.column)} = %s"
                params.append(field.target_field.get_db_prep_value(home.pk, connection))  # type: ignore[union-attr]
            cursor.execute(sql + f" ORDER BY {quote(model._meta.pk.column)}", params)
            snapshot[model._meta.label] = cursor.fetchall()
    return snapshot


def _diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> str:
    return ", ".join(label for label in before if before[label] != after.get(label))


class Walk:
    def __init__(
        self, fx: Fixture, include: Callable[[Endpoint], bool] | None, fx_other: Fixture | None = None
    ) -> None:
        self.fx = fx
        self.fx_other = fx_other
        self.include = include or (lambda ep: True)
        self.failures: list[str] = []
        world = fx.world
        self.anonymous = Client()
        self.users: dict[int, Any] = {}
        self.home = {role: self._login(user) for role, user in world.users.items()}
        self.other = {role: self._login(user) for role, user in world.other_users.items()}
        self.tenants = {role: world.tenant(role) for role in world.users}
        self.other_tenants = {role: world.tenant(role, other=True) for role in world.other_users}
        self.sibling, self.sibling_tenant = self._sibling_caseworker(world)
        self.by_pk = {obj.pk: type(obj) for obj in (*fx.objects.values(), fx.case, fx.person)}
        self.login_urls = [resolve_url(settings.LOGIN_URL)]
        with contextlib.suppress(NoReverseMatch):  # a project without the admin
            self.login_urls.append(resolve_url("admin:login"))
        # path → some home role reached the object the path names (2xx/3xx, any method)
        self.reached: dict[str, bool] = {}
        self.paths: dict[str, tuple[str, str, Endpoint]] = {}
        self.seen: dict[str, list[str]] = {}  # path → what each home role got, for the message
        self.empty_posts: list[tuple[Endpoint, str]] = []

    def _sibling_caseworker(self, world: Any) -> tuple[Client, Any]:
        """A caseworker of a second unit of the home municipality (unit-level scoping)."""
        from bredvid.tenancy.context import build_tenant
        from tests.factories import MembershipFactory, UnitFactory, UserFactory

        unit = UnitFactory(municipality=world.home, name="Vuxenenheten")
        user = UserFactory(username="walker-sibling")
        MembershipFactory(user=user, unit=unit, role="caseworker")
        return self._login(user), build_tenant(user, world.home.pk, ip=None)

    def hidden_from_sibling(self, values: dict[str, Any], scoped: set[str]) -> bool:
        """Some object the URL names is one the other unit's caseworker may not see."""
        for name in scoped:
            model = self.by_pk.get(values.get(name))
            if (
                model is not None
                and not model._default_manager.visible_to(self.sibling_tenant)
                .filter(pk=values[name])
                .exists()
            ):
                return True
        return False

    def _login(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        self.users[id(client)] = user
        return client

    @staticmethod
    def _visitors(clients: dict[str, Client], public: bool) -> list[tuple[str, Client]]:
        """Every role; for public URLs (the same for everyone) one signed-in role is enough."""
        return list(clients.items())[:1] if public else list(clients.items())

    def fail(self, method: str, path: str, ep: Endpoint, who: str, problem: str) -> None:
        self.failures.append(f"{method.upper()} {path} [{ep.label}] as {who}: {problem}")

    def send(self, client: Client, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return getattr(client, method)(path, **kwargs)
        except Exception as exc:  # the test client re-raises a view's exception
            return _Raised(exc)
        finally:
            user = self.users.get(id(client)) if method == "post" else None
            if user is not None and "_auth_user_id" not in client.session:
                client.force_login(user)  # the POST was a log-out: sign in again for the next URL

    def _status(self, response: Any) -> str:
        if isinstance(response, _Raised):
            return f"raised {type(response.exc).__name__}: {response.exc}"
        return str(response.status_code)

    def check_leak(self, response: Any, method: str, path: str, ep: Endpoint, who: str) -> None:
        text = _text(response) if not isinstance(response, _Raised) else ""
        leaked = [marker for marker in self.fx.markers if marker and marker in text]
        if leaked:
            self.fail(method, path, ep, who, f"shows the home municipality's data: {leaked}")

    # -- pages -------------------------------------------------------------
    def page(self, ep: Endpoint) -> None:
        try:
            values, scoped = fill_params(ep, self.fx)
        except UnknownParam as exc:
            self.failures.append(f"{ep.label}: {exc}")
            return
        path = build_path(ep, values)
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match is None or match.func is not ep.callback:
            self.failures.append(f"{ep.label}: the walker's URL {path} does not resolve back to the view")
            return
        public = ep.name in PUBLIC
        if scoped and ep.kind != "admin":
            self.reached.setdefault(path, False)
            self.paths[path] = ("get", path, ep)
        self._anonymous_page(ep, path, public)
        if ep.kind == "admin":
            self._admin(ep, path)
            return
        form = self._home_gets(ep, path, values, scoped, public)
        self._other_requests(ep, path, values, scoped, public, form)
        if scoped and self.hidden_from_sibling(values, scoped):
            self._sibling_request(ep, "get", path, build_path(ep, _control(values, scoped)), {}, self.sibling)
        if not public:
            self.empty_posts.append((ep, path))

    def _anonymous_page(self, ep: Endpoint, path: str, public: bool) -> None:
        response = self.send(self.anonymous, "get", path)
        if public:
            if response.status_code not in PUBLIC[ep.name]:
                self.fail("get", path, ep, "anonymous", f"public URL gave {self._status(response)}")
            return
        location = response.get("Location", "") or ""
        if response.status_code != 302 or not any(location.startswith(u) for u in self.login_urls):
            self.fail(
                "get",
                path,
                ep,
                "anonymous",
                f"expected a 302 to the login page, got {self._status(response)} {location}".rstrip(),
            )

    def _admin(self, ep: Endpoint, path: str) -> None:
        """Staff without is_staff are sent to the admin's login like anonymous visitors."""
        if ep.name in PUBLIC:
            return
        response = self.send(self.home["admin"], "get", path)
        if response.status_code not in {302, 403, 404, 405}:
            self.fail("get", path, ep, "admin@home (not is_staff)", f"got {self._status(response)}")

    def _home_gets(
        self, ep: Endpoint, path: str, values: dict[str, Any], scoped: set[str], public: bool
    ) -> dict[str, Any]:
        check = getattr(ep.callback, "required_permission", None)
        form: dict[str, Any] = {}
        for role, client in self._visitors(self.home, public):
            who = f"{role}@home"
            response = self.send(client, "get", path)
            status = response.status_code
            if status not in PAGE_STATUSES:
                self.fail("get", path, ep, who, f"got {self._status(response)}")
                continue
            if status in OK_STATUSES and scoped:
                self.reached[path] = True
            if scoped:
                self.seen.setdefault(path, []).append(f"{role} {status}")
            if status == 200 and not form and "text/html" in response.get("Content-Type", ""):
                form = harvest_form(_text(response), path)
            if public:
                continue
            if check is not None and not check(self.tenants[role]):
                if status != 403:
                    self.fail(
                        "get", path, ep, who, f"the role fails {check.__name__} but got {status}, not 403"
                    )
            elif scoped:
                pass  # the object itself may refuse a role (403/404): checked by "reached" instead
            elif check is None and status not in {200, 405}:
                self.fail("get", path, ep, who, f"needs no role beyond staff but got {status}, not 200")
            elif check is not None and status not in {200, 302, 405}:
                self.fail("get", path, ep, who, f"the role passes {check.__name__} but got {status}")
        return form

    def _other_requests(
        self,
        ep: Endpoint,
        path: str,
        values: dict[str, Any],
        scoped: set[str],
        public: bool,
        form: dict[str, Any],
    ) -> None:
        control_values = {k: (_nonexistent(v) if k in scoped else v) for k, v in values.items()}
        control_path = build_path(ep, control_values)
        capability = ep.kind != "admin" and any(PARAMS[name].kind == "capability" for name in values)
        check = getattr(ep.callback, "required_permission", None)
        before = home_snapshot(self.fx.world.home) if not public else None
        mixed_done = False
        for role, client in self._visitors(self.other, public):
            who = f"{role}@other"
            if check is not None and not check(self.other_tenants[role]):
                # permission_required refuses the role before the view runs (its 403 is checked for
                # the same role at home): no lookup happens, nothing about the object is revealed
                continue
            for method in ["get"] if public else ["get", "post"]:
                kwargs = {"data": form} if method == "post" else {}
                response = self.send(client, method, path, **kwargs)
                if not capability:
                    self.check_leak(response, method, path, ep, who)
                if scoped:
                    self._expect_not_found(client, method, path, control_path, kwargs, response, ep, who)
                elif response.status_code not in PAGE_STATUSES:
                    self.fail(method, path, ep, who, f"got {self._status(response)}")
            if not mixed_done:  # one role that passes the permission is enough
                mixed_done = self._mixed_requests(ep, values, scoped, client, who, form)
        if before is not None and (changed := _diff(before, home_snapshot(self.fx.world.home))):
            self.fail(
                "post", path, ep, "the other municipality", f"changed the home municipality's {changed}"
            )

    def _mixed_requests(
        self,
        ep: Endpoint,
        values: dict[str, Any],
        scoped: set[str],
        client: Client,
        who: str,
        form: dict[str, Any],
    ) -> bool:
        """Its own case with the home municipality's object (and so on): still a 404."""
        if len(scoped) < 2 or self.fx_other is None:
            return True
        try:
            own, _ = fill_params(ep, self.fx_other)
        except UnknownParam:
            return True  # reported for the home municipality already
        for name in sorted(scoped):
            mixed = {**own, name: values[name]}
            control = {**own, name: _nonexistent(values[name])}
            path, control_path = build_path(ep, mixed), build_path(ep, control)
            mixed_who = f"{who} with its own {', '.join(sorted(scoped - {name}))}"
            for method in ("get", "post"):
                kwargs = {"data": form} if method == "post" else {}
                response = self.send(client, method, path, **kwargs)
                self.check_leak(response, method, path, ep, mixed_who)
                self._expect_not_found(client, method, path, control_path, kwargs, response, ep, mixed_who)
        return True

    def _sibling_request(
        self, ep: Endpoint, method: str, path: str, control_path: str, kwargs: dict[str, Any], client: Client
    ) -> None:
        response = self.send(client, method, path, **kwargs)
        self._expect_not_found(
            client,
            method,
            path,
            control_path,
            kwargs,
            response,
            ep,
            "caseworker@another unit",
            owner="another unit's case",
        )

    def _expect_not_found(
        self,
        client: Client,
        method: str,
        path: str,
        control_path: str,
        kwargs: dict[str, Any],
        response: Any,
        ep: Endpoint,
        who: str,
        owner: str = "another municipality's object",
    ) -> None:
        status = response.status_code
        if status == 404:
            return
        if status in {401, 403, 405}:
            control = self.send(client, method, control_path, **kwargs)
            if control.status_code == status:
                return  # refused before any lookup: the same answer for an id that does not exist
            problem = f"got {status} for the home object but {control.status_code} for a missing id"
        else:
            problem = f"expected 404 for {owner}, got {self._status(response)}"
        self.fail(method, path, ep, who, problem)

    def empty_post_phase(self) -> None:
        """Last (it may change data): an empty POST to every page never gives a 500.

        Sent by the first home role the page's permission lets in, and by the next ones only
        while the page's object is not yet reached (a POST-only page proves its fixture here).
        """
        for ep, path in self.empty_posts:
            check = getattr(ep.callback, "required_permission", None)
            for role, client in self.home.items():
                if check is not None and not check(self.tenants[role]):
                    continue  # refused before the view runs (checked on GET)
                response = self.send(client, "post", path, data={})
                if response.status_code not in PAGE_STATUSES:
                    self.fail("post", path, ep, f"{role}@home", f"empty POST gave {self._status(response)}")
                elif response.status_code in OK_STATUSES and path in self.reached:
                    self.reached[path] = True
                if self.reached.get(path, True):
                    break

    # -- API -----------------------------------------------------------------
    def api_endpoints(self, django_endpoints: list[Endpoint]) -> Iterator[Endpoint]:
        from bredvid.api.urls import api

        schema = api.get_openapi_schema()
        schema_routes = set()
        for route, operations in schema["paths"].items():
            schema_routes.add(route)
            for method, operation in operations.items():
                params = tuple(re.findall(r"{(\w+)}", route))
                name = f"api:{operation.get('operationId', route)}"
                operation = {**operation, "components": schema.get("components", {})}
                yield Endpoint("api", name, route, params, method=method.lower(), operation=operation)
        # Every ninja pattern in the urlconf is an operation of the schema (or public): nothing hidden.
        for ep in django_endpoints:
            as_schema = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", ep.route)
            if ep.name not in PUBLIC and as_schema not in schema_routes:
                self.failures.append(
                    f"{ep.label}: API route missing from the OpenAPI schema, so the walker cannot check it"
                )

    def api_route(self, ep: Endpoint, tokens: dict[str, dict[str, str]]) -> None:
        try:
            values, scoped = fill_params(ep, self.fx)
        except UnknownParam as exc:
            self.failures.append(f"{ep.label}: {exc}")
            return

        def url(vals: dict[str, Any]) -> str:
            return re.sub(r"{(\w+)}", lambda m: str(vals[m[1]]), ep.route)

        try:
            query, body_data, body_ids = api_inputs(ep, self.fx)
        except UnknownParam as exc:
            self.failures.append(f"{ep.label}: {exc}")
            return
        scoped = scoped | body_ids
        path = url(values) + query
        control_path = url({k: (_nonexistent(v) if k in scoped else v) for k, v in values.items()}) + query
        control_data = {
            k: ([str(uuid.uuid4())] if isinstance(v, list) else str(_nonexistent(v))) if k in body_ids else v
            for k, v in body_data.items()
        }
        json_body = ep.method in BODY_METHODS
        body = {"data": json.dumps(body_data), "content_type": "application/json"} if json_body else {}
        control_body = (
            {"data": json.dumps(control_data), "content_type": "application/json"} if json_body else {}
        )
        m = ep.method
        anonymous: list[tuple[dict[str, str], str]] = [({}, "anonymous")]
        if m == "get":  # ninja authenticates every method alike: one method per route is enough
            anonymous.append(({"Authorization": "Bearer walker-invalid"}, "invalid token"))
        for headers, who in anonymous:
            response = self.send(self.anonymous, m, path, headers=headers, **body)
            if response.status_code != 401:
                self.fail(m, path, ep, who, f"expected 401, got {self._status(response)}")
        before = home_snapshot(self.fx.world.home) if m != "get" else None
        for role in self.other:
            who = f"{role}@other"
            kwargs = {"headers": tokens[who], **body}
            response = self.send(self.anonymous, m, path, **kwargs)
            self.check_leak(response, m, path, ep, who)
            if scoped:
                control_kwargs = {"headers": tokens[who], **control_body}
                self._expect_not_found(
                    self.anonymous, m, path, control_path, control_kwargs, response, ep, who
                )
            elif response.status_code not in API_STATUSES:
                self.fail(m, path, ep, who, f"got {self._status(response)}")
        if before is not None and (changed := _diff(before, home_snapshot(self.fx.world.home))):
            self.fail(m, path, ep, "the other municipality", f"changed the home municipality's {changed}")
        if scoped and m == "get" and self.hidden_from_sibling(values, scoped):
            sibling_kwargs = {"headers": tokens["caseworker@sibling"]}
            response = self.send(self.anonymous, m, path, **sibling_kwargs)
            self._expect_not_found(
                self.anonymous,
                m,
                path,
                control_path,
                sibling_kwargs,
                response,
                ep,
                "caseworker@another unit",
                owner="another unit's case",
            )
        reach_key = f"{m} {path}" if body_ids else path
        if scoped:
            self.reached.setdefault(reach_key, False)
            self.paths.setdefault(reach_key, (m, path, ep))
        for role in self.home:
            who = f"{role}@home"
            response = self.send(self.anonymous, m, path, headers=tokens[who], **body)
            if response.status_code not in API_STATUSES:
                self.fail(m, path, ep, who, f"got {self._status(response)}")
            elif scoped and response.status_code in OK_STATUSES | {409}:
                self.reached[reach_key] = True
            if scoped:
                self.seen.setdefault(reach_key, []).append(f"{role} {response.status_code}")

    def check_reached(self) -> None:
        """An object URL no home role can open proves nothing by its 404 elsewhere: fix the fixture."""
        for key, reached in self.reached.items():
            if not reached:
                method, path, ep = self.paths[key]
                self.fail(
                    method,
                    path,
                    ep,
                    "every home role",
                    f"no home role reached the object ({', '.join(self.seen.get(key, []))}): the "
                    "walker's fixture object does not fit this URL, so the other municipality's 404 "
                    "proves nothing; adjust build_fixture() in tests/walker.py",
                )


def _control(values: dict[str, Any], scoped: set[str]) -> dict[str, Any]:
    return {k: (_nonexistent(v) if k in scoped else v) for k, v in values.items()}


def _api_tokens(world: Any, sibling: Any) -> dict[str, dict[str, str]]:
    from bredvid.accounts.services import issue_api_token

    tokens = {}
    for side, users, municipality in (
        ("home", world.users, world.home),
        ("other", world.other_users, world.other),
    ):
        for role, user in users.items():
            raw = issue_api_token(user=user, municipality=municipality, name="walker")
            tokens[f"{role}@{side}"] = {"Authorization": f"Bearer {raw}"}
    raw = issue_api_token(user=sibling.user, municipality=world.home, name="walker")
    tokens["caseworker@sibling"] = {"Authorization": f"Bearer {raw}"}
    return tokens


def walk(world: Any, *, include: Callable[[Endpoint], bool] | None = None, api: bool = True) -> list[str]:
    """Visit every URL of settings.ROOT_URLCONF (and every API operation); return the failures."""
    w = Walk(build_fixture(world), include, build_fixture(world, other=True))
    django_api: list[Endpoint] = []
    for ep in iter_endpoints():
        if not w.include(ep):
            continue
        if ep.kind == "api":
            django_api.append(ep)
            if ep.name in PUBLIC:
                w.page(ep)
            continue
        w.page(ep)
    if api:
        tokens = _api_tokens(world, w.sibling_tenant)
        for ep in w.api_endpoints(django_api):
            if w.include(ep):
                w.api_route(ep, tokens)
    w.empty_post_phase()
    w.check_reached()
    return w.failures


def format_failures(failures: list[str]) -> str:
    return f"{len(failures)} URL walker failure(s):\n" + "\n".join(f"  - {f}" for f in failures)


__all__ = ["PARAMS", "PUBLIC", "Endpoint", "build_fixture", "format_failures", "iter_endpoints", "walk"]
