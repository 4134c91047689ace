"""Matching services: ordering, shortlists from the database, offers, confirmation and its guards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action, AuditEvent
from bredvid.casework.models import Intervention
from bredvid.core.errors import IllegalTransition
from bredvid.matching import features, services
from bredvid.matching.models import Offer, SupportRequest
from bredvid.supporters.models import Supporter, Unavailability
from tests.matching.factories import (
    ALE,
    approved_supporter,
    granted_intervention,
    request_data,
)

FAR = (59.33, 18.06)  # Stockholm: ~400 km from Ale


@pytest.fixture(autouse=True)
def _fresh_pool_cache():  # type: ignore[no-untyped-def]
    features.clear_cache()
    yield
    features.clear_cache()


def _order(world, **overrides):  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world, kind=overrides.pop("kind", "familjehem"))
    return services.create_request(
        tenant=world.tenant("caseworker"), intervention=intervention, data=request_data(**overrides)
    )


def _ids(shortlist):  # type: ignore[no-untyped-def]
    return [c.supporter.pk for c in shortlist.candidates]


def test_order_is_audited_and_one_open_request_per_intervention(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    caseworker = world.tenant("caseworker")
    req = services.create_request(tenant=caseworker, intervention=intervention, data=request_data())
    event = AuditEvent.objects.get(action=Action.CREATE, object_id=str(req.pk))
    assert event.person_id == intervention.case.client_id
    with pytest.raises(ValidationError) as error:
        services.create_request(tenant=caseworker, intervention=intervention, data=request_data())
    assert "intervention" in error.value.message_dict
    assert SupportRequest.objects.count() == 1


def test_only_the_cases_unit_may_order_and_bad_input_saves_nothing(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    with pytest.raises(PermissionDenied):
        services.create_request(
            tenant=world.tenant("family_care_officer"), intervention=intervention, data=request_data()
        )
    caseworker = world.tenant("caseworker")
    bad = request_data(max_distance_km=0, end_on=timezone.localdate() - dt.timedelta(days=1), needs=["nope"])
    with pytest.raises(ValidationError) as error:
        services.create_request(tenant=caseworker, intervention=intervention, data=bad)
    assert {"max_distance_km", "end_on", "needs"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.create_request(tenant=caseworker, intervention=intervention, data={**request_data(), "x": 1})
    assert error.value.message_dict["x"] == ["Okänt fält."]
    assert not SupportRequest.objects.exists()


def test_a_refused_or_executed_intervention_cannot_be_ordered(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    intervention.status = Intervention.Status.ACTIVE
    intervention.save()
    with pytest.raises(ValidationError):
        services.create_request(
            tenant=world.tenant("caseworker"), intervention=intervention, data=request_data()
        )


def test_shortlist_applies_the_hard_rules_and_explains(world) -> None:  # type: ignore[no-untyped-def]
    good = approved_supporter(world, name="Familjen Nära", needs=["school"], languages="svenska")
    plain = approved_supporter(world, name="Familjen Vanlig")
    far = approved_supporter(world, name="Familjen Långt", at=FAR)
    young_only = approved_supporter(world, name="Familjen Småbarn", age_max=5)
    no_checks = approved_supporter(world, name="Familjen Utdrag", police_valid=False)
    other_kind = approved_supporter(world, name="Familjen Kontakt", kind="kontaktfamilj")
    other_town = approved_supporter(world, name="Familjen Borta", other=True)
    req = _order(world)
    officer = world.tenant("family_care_officer")
    result = services.shortlist(tenant=officer, support_request=req, k=10, why_not=far)
    assert _ids(result) == [good.pk, plain.pk]  # needs and language met rank first
    top = result.candidates[0].candidate
    assert sum(top.contributions.values()) == pytest.approx(top.score)
    excluded = {rule: n for rule, _label, n in result.excluded}
    assert excluded["max_distance"] == 1 and excluded["age"] == 1 and excluded["police_checks"] == 1
    assert excluded["approved_for_kind"] == 1  # the kontaktfamilj profile: other kind
    assert result.pool_size == 6 and result.eligible == 2  # the other municipality is never in the pool
    assert result.why_not is not None and result.why_not.reasons == [
        str(services.RULE_LABELS["max_distance"])
    ]
    assert other_town.pk not in _ids(result) and other_kind.pk not in _ids(result)
    assert young_only.pk not in _ids(result) and no_checks.pk not in _ids(result)


def test_every_shortlist_shown_is_recorded_with_order_scores_and_weights(world) -> None:  # type: ignore[no-untyped-def]
    a = approved_supporter(world, name="Familjen A", needs=["school"])
    b = approved_supporter(world, name="Familjen B")
    req = _order(world)
    officer = world.tenant("family_care_officer")
    services.save_weights(tenant=world.tenant("manager"), values={"needs": 9.0})
    result = services.shortlist(tenant=officer, support_request=req)
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(req.pk)).latest("seq")
    detail = event.detail
    assert [row[0] for row in detail["shortlist"]] == [str(a.pk), str(b.pk)]
    assert detail["shortlist"][0][2] == pytest.approx(result.candidates[0].candidate.score, abs=1e-4)
    assert detail["weights_version"] == 1 and event.actor_id == officer.user.pk
    assert event.person_id == req.case.client_id


def test_caseworkers_do_not_see_shortlists(world) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    with pytest.raises(PermissionDenied):
        services.shortlist(tenant=world.tenant("caseworker"), support_request=req)


def test_relatives_are_a_first_tier_not_a_bonus(world) -> None:  # type: ignore[no-untyped-def]
    stranger = approved_supporter(world, name="Familjen Främling", needs=["school"], languages="svenska")
    aunt = approved_supporter(world, name="Moster Eva")
    req = _order(world)
    services.add_relative(
        tenant=world.tenant("caseworker"), support_request=req, supporter=aunt, relation="moster"
    )
    result = services.shortlist(tenant=world.tenant("family_care_officer"), support_request=req)
    assert [c.supporter.pk for c in result.relatives] == [aunt.pk]
    assert _ids(result) == [stranger.pk]
    assert result.relatives[0].candidate.score < result.candidates[0].candidate.score


def test_pool_follows_changes_through_the_version(world) -> None:  # type: ignore[no-untyped-def]
    home = approved_supporter(world, name="Familjen Ändras")
    req = _order(world)
    officer = world.tenant("family_care_officer")
    assert _ids(services.shortlist(tenant=officer, support_request=req)) == [home.pk]
    Unavailability.objects.create(
        municipality=world.home,
        supporter=home,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
    )
    result = services.shortlist(tenant=officer, support_request=req)
    assert _ids(result) == []
    assert {rule: n for rule, _label, n in result.excluded}["available"] == 1


def test_protected_request_keeps_away_and_shows_no_distances(world) -> None:  # type: ignore[no-untyped-def]
    close = approved_supporter(world, name="Familjen Grannar", at=(ALE[0] + 0.01, ALE[1]))  # ~1 km
    away = approved_supporter(world, name="Familjen Borta", at=(ALE[0] + 0.2, ALE[1]))  # ~22 km
    req = _order(world)
    services.add_protected_place(
        tenant=world.tenant("caseworker"), support_request=req, label="Pappans adress",
        latitude=ALE[0], longitude=ALE[1], min_distance_km=10,
    )  # fmt: skip
    result = services.shortlist(tenant=world.tenant("family_care_officer"), support_request=req)
    assert _ids(result) == [away.pk]
    assert result.protected and result.candidates[0].candidate.distance_km is None
    assert close.pk not in _ids(result)
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(req.pk)).latest("seq")
    assert "57.9" not in event.detail_json and "12.0" not in event.detail_json


def _accepted_offer(world, req, supporter):  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    (offer,) = services.send_offers(tenant=officer, support_request=req, supporters=[supporter])
    return services.answer_offer(tenant=officer, offer=offer, accepted=True)


def test_offer_decline_accept_confirm(world) -> None:  # type: ignore[no-untyped-def]
    a = approved_supporter(world, name="Familjen A")
    b = approved_supporter(world, name="Familjen B")
    req = _order(world)
    officer = world.tenant("family_care_officer")
    offer_a, offer_b = services.send_offers(tenant=officer, support_request=req, supporters=[a, b])
    assert offer_a.channel == Offer.Channel.CALL and offer_a.expires_on > timezone.localdate()
    with pytest.raises(ValidationError):
        services.answer_offer(tenant=officer, offer=offer_a, accepted=False, reason="")
    declined = services.answer_offer(
        tenant=officer, offer=offer_a, accepted=False, reason="no_time", note="Flyttar"
    )
    assert declined.status == Offer.Status.DECLINED and declined.decline_reason == "no_time"
    accepted = services.answer_offer(tenant=officer, offer=offer_b, accepted=True)
    with pytest.raises(IllegalTransition):
        services.confirm_offer(tenant=officer, offer=declined, start_on=timezone.localdate())
    assignment = services.confirm_offer(tenant=officer, offer=accepted, start_on=timezone.localdate())
    req.refresh_from_db()
    req.intervention.refresh_from_db()
    assert req.status == SupportRequest.Status.MATCHED
    assert req.intervention.status == Intervention.Status.ACTIVE
    assert req.intervention.executed_on == timezone.localdate()
    assert assignment.supporter == b and assignment.children == 1
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(assignment.pk)).exists()
    with pytest.raises(IllegalTransition):
        services.confirm_offer(tenant=officer, offer=accepted, start_on=timezone.localdate())


def test_offers_only_to_eligible_and_expired_offers_cannot_be_answered(world) -> None:  # type: ignore[no-untyped-def]
    far = approved_supporter(world, name="Familjen Långt", at=FAR)
    near = approved_supporter(world, name="Familjen Nära")
    req = _order(world)
    officer = world.tenant("family_care_officer")
    with pytest.raises(ValidationError) as error:
        services.send_offers(tenant=officer, support_request=req, supporters=[far])
    assert "Familjen Långt" in error.value.message_dict["supporters"][0]
    (offer,) = services.send_offers(tenant=officer, support_request=req, supporters=[near])
    with pytest.raises(ValidationError):  # one live offer per supporter and request
        services.send_offers(tenant=officer, support_request=req, supporters=[near])
    Offer.objects.filter(pk=offer.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    offer.refresh_from_db()
    assert services.is_expired(offer)
    with pytest.raises(IllegalTransition):
        services.answer_offer(tenant=officer, offer=offer, accepted=True)


def test_siblings_need_one_home_with_room_for_all(world) -> None:  # type: ignore[no-untyped-def]
    single = approved_supporter(world, name="Familjen En plats", places=1)
    double = approved_supporter(world, name="Familjen Två platser", places=2)
    first = granted_intervention(world, age=6)
    second = granted_intervention(world, age=11)
    req = services.create_request(
        tenant=world.tenant("caseworker"), intervention=first, data=request_data(), siblings=[second]
    )
    officer = world.tenant("family_care_officer")
    result = services.shortlist(tenant=officer, support_request=req)
    assert _ids(result) == [double.pk] and single.pk not in _ids(result)
    assignment = services.confirm_offer(
        tenant=officer, offer=_accepted_offer(world, req, double), start_on=timezone.localdate()
    )
    assert assignment.children == 2
    second.refresh_from_db()
    assert second.status == Intervention.Status.ACTIVE
    # the home is now full: it drops out of the next request's pool by the capacity rule
    later = _order(world)
    after = services.shortlist(tenant=officer, support_request=later)
    assert double.pk not in _ids(after)


def test_confirmation_rechecks_capacity_and_approval(world) -> None:  # type: ignore[no-untyped-def]
    home = approved_supporter(world, name="Familjen Full", places=1)
    officer = world.tenant("family_care_officer")
    first, second = _order(world), _order(world)
    offer_1, offer_2 = _accepted_offer(world, first, home), _accepted_offer(world, second, home)
    services.confirm_offer(tenant=officer, offer=offer_1, start_on=timezone.localdate())
    with pytest.raises(IllegalTransition):
        services.confirm_offer(tenant=officer, offer=offer_2, start_on=timezone.localdate())
    assert Assignment.objects.count() == 1
    third = _order(world)
    other = approved_supporter(world, name="Familjen Pausad")
    offer_3 = _accepted_offer(world, third, other)
    Supporter.objects.filter(pk=other.pk).update(status=Supporter.Status.PAUSED)
    with pytest.raises(IllegalTransition):
        services.confirm_offer(tenant=officer, offer=offer_3, start_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.confirm_offer(
            tenant=officer, offer=offer_3, start_on=timezone.localdate() + dt.timedelta(days=3)
        )


def test_cancel_withdraws_live_offers(world) -> None:  # type: ignore[no-untyped-def]
    home = approved_supporter(world)
    req = _order(world)
    officer = world.tenant("family_care_officer")
    (offer,) = services.send_offers(tenant=officer, support_request=req, supporters=[home])
    with pytest.raises(ValidationError):
        services.cancel_request(tenant=world.tenant("caseworker"), support_request=req, reason=" ")
    services.cancel_request(
        tenant=world.tenant("caseworker"), support_request=req, reason="Behovet har upphört"
    )
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN


def test_weights_are_versioned_and_only_managers_change_them(world) -> None:  # type: ignore[no-untyped-def]
    assert services.current_weights(world.home).version == 0
    with pytest.raises(PermissionDenied):
        services.save_weights(tenant=world.tenant("family_care_officer"), values={"needs": 1.0})
    manager = world.tenant("manager")
    services.save_weights(tenant=manager, values={"needs": 1.0})
    services.save_weights(tenant=manager, values={"distance": 5.0})
    current = services.current_weights(world.home)
    assert current.version == 2 and current.distance == 5.0 and current.needs == 1.0
    with pytest.raises(ValidationError):
        services.save_weights(tenant=manager, values={"needs": -1})
    assert services.current_weights(world.other).version == 0


def test_global_proposal_beats_greedy_never_assigns_and_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    # Two homes with one place each. The older request can use either; the newer only home B
    # (home A is too far for it). Greedy gives the older request its best (B) and leaves the newer
    # one without; the optimum gives A to the older and B to the newer.
    home_a = approved_supporter(world, name="Familjen A", at=(ALE[0] + 0.3, ALE[1]))  # ~33 km north
    home_b = approved_supporter(world, name="Familjen B", at=ALE)
    older = _order(world, max_distance_km=60)
    newer = _order(world, max_distance_km=10, latitude=ALE[0] - 0.05)  # ~5.6 km from B, ~39 from A
    SupportRequest.objects.filter(pk=older.pk).update(ordered_on=timezone.localdate() - dt.timedelta(days=30))
    officer = world.tenant("family_care_officer")
    proposal = services.global_proposal(tenant=officer)
    by_request = {row.support_request.pk: row for row in proposal.rows}
    assert by_request[older.pk].supporter == home_a and by_request[newer.pk].supporter == home_b
    assert by_request[older.pk].greedy_supporter == home_b and by_request[newer.pk].greedy_supporter is None
    assert proposal.assigned == 2 and proposal.greedy_assigned == 1 and proposal.gain_pct > 0
    assert not Assignment.objects.exists()  # a proposal only
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="matching.globalproposal").get()
    assert {row[0] for row in event.detail["proposal"]} == {str(older.pk), str(newer.pk)}
    assert str(older.case.client_id) in event.subjects
    with pytest.raises(PermissionDenied):
        services.global_proposal(tenant=world.tenant("caseworker"))


def test_filters_narrow_the_list_but_not_the_scores_or_rule_counts(world) -> None:  # type: ignore[no-untyped-def]
    both = approved_supporter(
        world, name="Familjen Båda", needs=["school", "npf"], languages="arabiska, svenska"
    )
    needs_only = approved_supporter(world, name="Familjen Behov", needs=["school", "npf"], languages="finska")
    far = approved_supporter(world, name="Familjen Längre", at=(ALE[0] + 0.3, ALE[1]), languages="svenska")
    asked = approved_supporter(world, name="Familjen Tillfrågad", languages="svenska")
    req = _order(world, needs=["school", "npf"], languages="svenska", max_distance_km=60)
    officer = world.tenant("family_care_officer")
    services.send_offers(tenant=officer, support_request=req, supporters=[asked])
    plain = services.shortlist(tenant=officer, support_request=req)
    assert set(_ids(plain)) == {both.pk, needs_only.pk, far.pk, asked.pk}
    score = {c.supporter.pk: c.candidate.score for c in plain.candidates}

    def ids(**kw):  # type: ignore[no-untyped-def]
        result = services.shortlist(tenant=officer, support_request=req, filters=services.Filters(**kw))
        assert result.excluded == plain.excluded and result.eligible == plain.eligible
        assert all(c.candidate.score == pytest.approx(score[c.supporter.pk]) for c in result.candidates)
        assert result.filtered_out == plain.eligible - len(result.candidates)
        return set(_ids(result))

    assert ids(not_asked=True) == {both.pk, needs_only.pk, far.pk}
    assert ids(all_needs=True) == {both.pk, needs_only.pk}
    assert ids(language=True) == {both.pk, far.pk, asked.pk}
    assert ids(max_km=10) == {both.pk, needs_only.pk, asked.pk}
    assert ids(all_needs=True, language=True, max_km=10) == {both.pk}
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(req.pk)).latest("seq")
    assert event.detail["filters"] == {"all_needs": True, "language": True, "max_km": 10}
    assert event.detail["filtered_out"] == 3


def test_pool_is_built_once_per_version_and_day(world, django_assert_num_queries, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home = approved_supporter(world, name="Familjen Cache")
    first = features.pool_for(world.home)
    with django_assert_num_queries(1):  # only the version
        assert features.pool_for(world.home) is first
    home.name = "Familjen Cache Ny"
    home.save()  # any change to a supporter moves the version in the same transaction
    second = features.pool_for(world.home)
    assert second is not first and second.version != first.version
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(features.timezone, "localdate", lambda: tomorrow)
    assert features.pool_for(world.home) is not second  # availability is relative to the day
