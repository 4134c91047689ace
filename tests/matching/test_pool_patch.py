"""The incremental pool: after any sequence of changes (some rolled back, some read inside the
transaction that rolls back) the patched pool holds exactly what a fresh build holds, and gives
the same shortlist; committed changes are patched in, not rebuilt."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from bredvid.assignments.models import Assignment
from bredvid.matching import engine, features, services
from bredvid.matching.features import MunicipalPool
from bredvid.supporters.models import (
    RegisterCheck,
    Supporter,
    SupporterMember,
    SupporterProfile,
    Unavailability,
)
from tests.factories import PersonFactory
from tests.matching.factories import approved_supporter, granted_intervention, request_data

KINDS = ("familjehem", "kontaktfamilj")
LANGUAGES = ("svenska", "svenska, arabiska", "finska/somaliska", "", "Arabiska")
CULTURES = ("", "muslimsk", "kristen", "Judisk ")
ALLERGIES = ("", "katt", "hund, katt", "nötter")
VOCABULARY_COLUMNS = {"languages": "languages", "allergens": "allergens"}


class _Rollback(Exception):
    pass


def _decoded(mpool: MunicipalPool) -> dict[str, Any]:
    """The pool's content independent of how its vocabulary numbered the words."""
    pool, vocab = mpool.pool, mpool.vocabulary
    out: dict[str, Any] = {
        "supporters": list(mpool.supporter_of_row),
        "kinds_text": list(mpool.kind_of_row),
        "keys": mpool.keys.tolist(),
        "needs_vocabulary": vocab.needs,
    }
    for name in pool.__dataclass_fields__:
        if name not in ("languages", "allergens", "culture"):
            out[name] = getattr(pool, name).tolist()
    for name, table in VOCABULARY_COLUMNS.items():
        words = getattr(vocab, table)
        out[name] = [
            frozenset(w for w, bit in words.items() if int(mask) >> bit & 1) for mask in getattr(pool, name)
        ]
    cultures = {code: word for word, code in vocab.cultures.items()}
    out["culture"] = [cultures.get(int(code), "") for code in pool.culture]
    return out


def _shortlist(mpool: MunicipalPool, support_request: Any) -> Any:
    weights = services.current_weights(support_request.municipality)
    result = engine.shortlist(mpool.pool, features.engine_request(support_request, mpool), weights, 10)
    return (
        [(mpool.supporter_of_row[c.supporter_id], round(c.score, 9), c.relative) for c in result.candidates],
        result.excluded,
        result.eligible,
        result.pool_size,
    )


class PoolMachine(RuleBasedStateMachine):
    world: Any = None
    request: Any = None
    intervention: Any = None
    builds: list[int] = []  # the test's build counter (shared on purpose)

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        features.clear_cache()
        self.supporters: list[Any] = []
        self.expect_rebuild = True
        self.seen_builds = self.builds[0]
        self.n = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        features.clear_cache()

    # ---- helpers ------------------------------------------------------------------------------
    def _pick(self, i: int) -> Supporter:
        return Supporter.objects.get(pk=self.supporters[i % len(self.supporters)])

    def _apply(self, change: Any, rollback: bool, peek: bool) -> None:
        if not rollback:
            change()
            return
        try:
            with transaction.atomic():
                change()
                if peek:  # the pool read inside a transaction that then rolls back
                    features.pool_for(self.world.home)
                    self.expect_rebuild = True
                raise _Rollback
        except _Rollback:
            pass

    # ---- rules --------------------------------------------------------------------------------
    @rule(
        kind=st.sampled_from(KINDS),
        status=st.sampled_from(["approved", "approved", "paused", "investigating"]),
        police=st.booleans(),
        located=st.booleans(),
        languages=st.sampled_from(LANGUAGES),
        rollback=st.booleans(),
        peek=st.booleans(),
    )
    def create_supporter(
        self, kind: str, status: str, police: bool, located: bool, languages: str, rollback: bool, peek: bool
    ) -> None:
        self.n += 1
        created: list[Any] = []

        def change() -> None:
            s = approved_supporter(
                self.world, kind=kind, police_valid=police, name=f"Familjen {self.n}", languages=languages
            )
            Supporter.objects.filter(pk=s.pk).update(status=status)  # no signal: then saved with one
            s.refresh_from_db()
            if not located:
                s.latitude = None
            s.save()
            created.append(s.pk)

        self._apply(change, rollback, peek)
        if not rollback:
            self.supporters.extend(created)

    @precondition(lambda self: self.supporters)
    @rule(
        i=st.integers(0, 99),
        status=st.sampled_from(["approved", "paused", "investigating", "ended"]),
        approved=st.sampled_from([("familjehem",), ("kontaktfamilj",), KINDS, ()]),
        shift=st.floats(-0.3, 0.3),
        rollback=st.booleans(),
        peek=st.booleans(),
    )
    def edit_supporter(
        self, i: int, status: str, approved: tuple[str, ...], shift: float, rollback: bool, peek: bool
    ) -> None:
        def change() -> None:
            s = self._pick(i)
            s.status, s.approved_supports = status, list(approved)
            if s.latitude is not None:
                s.latitude += shift
            s.save()

        self._apply(change, rollback, peek)

    @precondition(lambda self: self.supporters)
    @rule(
        i=st.integers(0, 99),
        kind=st.sampled_from(KINDS),
        languages=st.sampled_from(LANGUAGES),
        culture=st.sampled_from(CULTURES),
        allergies=st.sampled_from(ALLERGIES),
        places=st.integers(1, 3),
        age_min=st.integers(0, 12),
        pets=st.booleans(),
        delete=st.booleans(),
        rollback=st.booleans(),
        peek=st.booleans(),
    )
    def profile(
        self,
        i: int,
        kind: str,
        languages: str,
        culture: str,
        allergies: str,
        places: int,
        age_min: int,
        pets: bool,
        delete: bool,
        rollback: bool,
        peek: bool,
    ) -> None:
        def change() -> None:
            s = self._pick(i)
            existing = SupporterProfile.objects.filter(supporter=s, support_kind=kind).first()
            if delete:
                if existing is not None:
                    existing.delete()
                return
            p = existing or SupporterProfile(municipality=s.municipality, supporter=s, support_kind=kind)
            p.languages, p.culture_religion, p.allergies = languages, culture, allergies
            p.children_at_once, p.age_min, p.age_max, p.pets = places, age_min, age_min + 6, pets
            p.save()

        self._apply(change, rollback, peek)

    @precondition(lambda self: self.supporters)
    @rule(
        i=st.integers(0, 99),
        valid=st.sampled_from([-3, 0, 30, 400, None]),
        action=st.sampled_from(["add", "delete", "member", "deactivate"]),
        rollback=st.booleans(),
        peek=st.booleans(),
    )
    def register(self, i: int, valid: int | None, action: str, rollback: bool, peek: bool) -> None:
        today = timezone.localdate()

        def change() -> None:
            s = self._pick(i)
            member = SupporterMember.objects.filter(supporter=s).order_by("pk").first()
            if action == "member" or member is None:
                SupporterMember.objects.create(
                    municipality=s.municipality,
                    supporter=s,
                    person=PersonFactory(municipality=s.municipality),
                )
            elif action == "deactivate":
                member.active = not member.active
                member.save()
            elif action == "add":
                RegisterCheck.objects.create(
                    municipality=s.municipality,
                    member=member,
                    kind=RegisterCheck.Kind.POLICE_RECORD,
                    requested_on=today - dt.timedelta(days=40),
                    received_on=today - dt.timedelta(days=30),
                    outcome=RegisterCheck.Outcome.NO_RECORD,
                    valid_until=None if valid is None else today + dt.timedelta(days=valid),
                )
            else:
                for check in RegisterCheck.objects.filter(
                    member=member, kind=RegisterCheck.Kind.POLICE_RECORD
                ):
                    check.delete()

        self._apply(change, rollback, peek)

    @precondition(lambda self: self.supporters)
    @rule(
        i=st.integers(0, 99),
        start=st.integers(-10, 10),
        length=st.integers(-5, 20),
        delete=st.booleans(),
        rollback=st.booleans(),
        peek=st.booleans(),
    )
    def unavailable(self, i: int, start: int, length: int, delete: bool, rollback: bool, peek: bool) -> None:
        today = timezone.localdate()

        def change() -> None:
            s = self._pick(i)
            if delete:
                first = Unavailability.objects.filter(supporter=s).order_by("pk").first()
                if first is not None:
                    first.delete()
                return
            starts = today + dt.timedelta(days=start)
            Unavailability.objects.create(
                municipality=s.municipality,
                supporter=s,
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=max(length, 0)),
            )

        self._apply(change, rollback, peek)

    @precondition(lambda self: self.supporters)
    @rule(
        i=st.integers(0, 99),
        kind=st.sampled_from(KINDS),
        status=st.sampled_from(["active", "ended"]),
        children=st.integers(1, 2),
        delete=st.booleans(),
        rollback=st.booleans(),
        peek=st.booleans(),
    )
    def assignment(
        self, i: int, kind: str, status: str, children: int, delete: bool, rollback: bool, peek: bool
    ) -> None:
        def change() -> None:
            s = self._pick(i)
            if delete:
                first = Assignment.objects.filter(supporter=s).order_by("created_at").first()
                if first is not None:
                    first.delete()
                return
            Assignment.objects.create(
                municipality=s.municipality,
                supporter=s,
                intervention=self.intervention,
                support_kind=kind,
                children=children,
                status=status,
                start_on=timezone.localdate() - dt.timedelta(days=3),
                created_by=self.world.users["family_care_officer"],
            )

        self._apply(change, rollback, peek)

    @precondition(lambda self: self.supporters)
    @rule(i=st.integers(0, 99), rollback=st.booleans(), peek=st.booleans())
    def delete_supporter(self, i: int, rollback: bool, peek: bool) -> None:
        s = self._pick(i)
        pk = s.pk

        def change() -> None:
            Assignment.objects.filter(supporter=s).delete()
            RegisterCheck.objects.filter(member__supporter=s).delete()
            SupporterMember.objects.filter(supporter=s).delete()
            SupporterProfile.objects.filter(supporter=s).delete()
            Unavailability.objects.filter(supporter=s).delete()
            s.delete()

        self._apply(change, rollback, peek)
        if not rollback:
            self.supporters.remove(pk)

    # ---- the property ---------------------------------------------------------------------------
    @invariant()
    def patched_equals_fresh(self) -> None:
        patched = features.pool_for(self.world.home)
        if not self.expect_rebuild:
            assert self.builds[0] == self.seen_builds, "a committed change was rebuilt, not patched"
        self.seen_builds, self.expect_rebuild = self.builds[0], False
        fresh = features.build_pool(self.world.home)
        self.seen_builds = self.builds[0]  # our own fresh build
        assert _decoded(patched) == _decoded(fresh)
        for bit in features.KIND_BITS.values():  # the carried indexes are the fresh ones
            got, want = patched.pool._index(bit).cols, fresh.pool._index(bit).cols
            for name in ("ids", "lat_rad", "police_valid_until", "capacity_free", "unavailable_from"):
                assert np.array_equal(got[name], want[name]), name
        assert _shortlist(patched, self.request) == _shortlist(fresh, self.request)


def test_the_patched_pool_is_a_fresh_build_after_any_changes(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    PoolMachine.world = world
    PoolMachine.intervention = granted_intervention(world)
    PoolMachine.request = services.create_request(
        tenant=world.tenant("caseworker"),
        intervention=granted_intervention(world),
        data=request_data(
            languages="arabiska", allergies="katt", culture_religion="muslimsk", max_distance_km=60
        ),
    )
    PoolMachine.builds = [0]
    real = features.build_pool

    def counted(*args: Any, **kwargs: Any) -> MunicipalPool:
        PoolMachine.builds[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(features, "build_pool", counted)
    run_state_machine_as_test(
        PoolMachine,
        settings=settings(
            max_examples=40, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )


def _count_builds(monkeypatch: Any) -> list[int]:
    calls: list[int] = []
    real = features.build_pool

    def counted(*args: Any, **kwargs: Any) -> MunicipalPool:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(features, "build_pool", counted)
    return calls


def test_a_new_day_rebuilds(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    features.clear_cache()
    approved_supporter(world)
    first = features.pool_for(world.home)
    assert features.pool_for(world.home) is first  # nothing changed: the cached pool
    yesterday = dataclasses.replace(first, built_on=timezone.localdate() - dt.timedelta(days=1))
    features._cache[world.home.pk] = yesterday
    calls = _count_builds(monkeypatch)
    again = features.pool_for(world.home)
    assert calls == [1] and again.built_on == timezone.localdate()
    features.clear_cache()


@pytest.mark.parametrize("everything", [False, True])
def test_a_change_is_patched_and_everything_rebuilds(world, monkeypatch, everything) -> None:  # type: ignore[no-untyped-def]
    features.clear_cache()
    ek = approved_supporter(world, name="Familjen Ek")
    first = features.pool_for(world.home)
    calls = _count_builds(monkeypatch)
    with transaction.atomic():
        if everything:
            features.bump_pool_version(world.home.pk)
        else:
            approved_supporter(world, name="Familjen Alm")
            SupporterProfile.objects.filter(supporter=ek).update(children_at_once=3)  # no signal: not seen
    second = features.pool_for(world.home)
    assert second.seq > first.seq and second.version != first.version
    assert calls == ([1] if everything else [])
    assert len(second.pool) == (1 if everything else 2)
    features.clear_cache()


def _check_delete(s: Supporter) -> None:
    RegisterCheck.objects.filter(member__supporter=s, kind=RegisterCheck.Kind.POLICE_RECORD).first().delete()  # type: ignore[union-attr]


def _member(s: Supporter) -> None:
    SupporterMember.objects.create(
        municipality=s.municipality, supporter=s, person=PersonFactory(municipality=s.municipality)
    )


def _unavailable(s: Supporter) -> None:
    today = timezone.localdate()
    Unavailability.objects.create(municipality=s.municipality, supporter=s, starts_on=today, ends_on=today)


def _profile(s: Supporter) -> None:
    SupporterProfile.objects.filter(supporter=s).get().delete()


def _paused(s: Supporter) -> None:
    s.status = Supporter.Status.PAUSED
    s.save()


@pytest.mark.parametrize(
    ("column", "change"),
    [
        ("police_valid_until", _check_delete),
        ("police_valid_until", _member),  # a new adult without checks
        ("unavailable_from", _unavailable),
        ("unavailable_from", _paused),
        ("rows", _profile),
        ("capacity_free", "assignment"),
    ],
)
def test_each_source_is_patched_in(world, monkeypatch, column, change) -> None:  # type: ignore[no-untyped-def]
    features.clear_cache()
    approved_supporter(world, name="Familjen Alm", places=2)
    ek = approved_supporter(world, name="Familjen Ek", places=2)
    before = features.pool_for(world.home)
    calls = _count_builds(monkeypatch)
    if change == "assignment":
        Assignment.objects.create(
            municipality=world.home,
            supporter=ek,
            intervention=granted_intervention(world),
            support_kind="familjehem",
            start_on=timezone.localdate(),
            created_by=world.users["family_care_officer"],
        )
    else:
        change(ek)
    after = features.pool_for(world.home)
    assert calls == []  # patched, not rebuilt
    assert _decoded(after) == _decoded(features.build_pool(world.home))
    calls.clear()
    row = before.rows_for(ek.pk, "familjehem")[0]
    if column == "rows":
        assert len(after.pool) == len(before.pool) - 1 and not after.rows_for(ek.pk, "familjehem")
    else:
        assert getattr(after.pool, column)[row] != getattr(before.pool, column)[row]
    features.clear_cache()


@pytest.mark.parametrize("positions", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_engine_patched_pool_is_the_pool_built_from_the_patched_columns(seed, positions) -> None:
    """Pool.patched (the engine alone): rows dropped and inserted, the carried indexes renumbered,
    for ids that are row positions (as features.py numbers them) and for arbitrary ones."""
    from bredvid.matching.synthetic import make_pool, make_request

    rng = np.random.default_rng(seed)
    pool = make_pool(3000, seed=seed)
    if positions:
        pool = dataclasses.replace(pool, ids=np.arange(len(pool), dtype=np.int64))
    pool.prepare()
    names = [n for n in pool.__dataclass_fields__ if n != "ids"]
    remove = np.sort(rng.choice(len(pool), size=int(rng.integers(0, 4)), replace=False))
    donors = rng.choice(len(pool), size=int(rng.integers(0, 4)))
    rows = {n: getattr(pool, n)[donors] for n in names}
    remaining = len(pool) - remove.shape[0]
    insert_at = np.sort(rng.integers(0, remaining + 1, size=donors.shape[0]))
    ids = np.arange(remaining + donors.shape[0], dtype=np.int64) * (1 if positions else 3) + 7 * (
        not positions
    )
    patched = pool.patched(remove, insert_at, rows, ids)
    keep = np.setdiff1d(np.arange(len(pool)), remove)
    expected = engine.Pool(
        ids=ids, **{n: np.insert(getattr(pool, n)[keep], insert_at, rows[n]) for n in names}
    ).prepare()
    carried = set(patched.__dict__["_indexes"])
    for bit in (1, 2, 4, 8, 16):
        got, want = patched._index(bit).cols, expected._index(bit).cols
        assert all(np.array_equal(got[name], want[name]) for name in want), bit
    # ids that are row positions: every index is carried or patched in place, none left to rebuild
    assert carried == set(pool.__dict__["_indexes"]) or not positions
    weights = engine.Weights()
    for r in range(10):
        request = make_request(seed * 100 + r, kind=None)
        assert engine.shortlist(patched, request, weights, 20) == engine.shortlist(
            expected, request, weights, 20
        )
