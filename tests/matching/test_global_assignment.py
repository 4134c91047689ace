"""Global assignment: capacities, sibling groups, eligibility, greedy, the exact MILP, input order."""

from __future__ import annotations

import numpy as np
import pytest

from bredvid.matching.global_assignment import (
    Problem,
    assign,
    exact_assignment,
    greedy_assignment,
    optimal_assignment,
)


def _random(seed: int, *, n: int = 50, m: int = 30, groups: float = 0.3, most: int = 3) -> Problem:
    rng = np.random.default_rng(seed)
    candidates = []
    for _ in range(n):
        k = int(rng.integers(0, 10))
        ids = rng.choice(m, size=k, replace=False).astype(np.int64) + 1000
        candidates.append((ids, rng.uniform(-1.0, 10.0, k)))
    children = np.where(rng.random(n) < groups, rng.integers(2, 4, n), 1)
    return Problem.from_lists(
        request_ids=rng.permutation(n) * 7 + 3,
        children=children,
        order_keys=rng.integers(0, 100, n),
        candidates=candidates,
        supporter_ids=np.arange(m) + 1000,
        capacity=rng.integers(0, most + 1, m),
    )


def _pairs(problem: Problem) -> dict[tuple[int, int], float]:
    out = {}
    for i, request in enumerate(problem.request_ids.tolist()):
        lo, hi = problem.indptr[i], problem.indptr[i + 1]
        ids, scores = problem.candidate_ids[lo:hi].tolist(), problem.scores[lo:hi].tolist()
        for supporter, score in zip(ids, scores, strict=True):
            out[(request, supporter)] = score
    return out


def _check_feasible(problem: Problem, plan) -> None:  # type: ignore[no-untyped-def]
    pairs = _pairs(problem)
    children = dict(zip(problem.request_ids.tolist(), problem.children.tolist(), strict=True))
    capacity = dict(zip(problem.supporter_ids.tolist(), problem.capacity.tolist(), strict=True))
    used: dict[int, int] = {}
    for request, supporter in plan.as_dict().items():
        if supporter is None:
            assert plan.scores[np.searchsorted(plan.request_ids, request)] == 0.0
            continue
        assert (request, supporter) in pairs, "assigned to a supporter who is not eligible"
        assert pairs[(request, supporter)] > 0
        assert plan.supporter_for(request) == supporter
        used[supporter] = used.get(supporter, 0) + children[request]  # a group goes to one home
    for supporter, places in used.items():
        assert places <= capacity[supporter], "more children than free places"
    assert plan.total == pytest.approx(float(plan.scores.sum()))


@pytest.mark.parametrize("seed", range(25))
def test_feasible_and_never_below_greedy(seed: int) -> None:
    problem = _random(seed)
    result = assign(problem)
    _check_feasible(problem, result.plan)
    _check_feasible(problem, result.greedy)
    assert result.plan.objective >= result.greedy.objective
    assert result.plan.total >= result.greedy.total - 1e-6
    _check_feasible(problem, optimal_assignment(problem))
    assert greedy_assignment(problem).as_dict() == result.greedy.as_dict()


@pytest.mark.parametrize("seed", range(25))
def test_equals_the_exact_milp_without_sibling_groups(seed: int) -> None:
    problem = _random(seed, groups=0.0, most=4)
    flow, exact = optimal_assignment(problem), exact_assignment(problem)
    _check_feasible(problem, exact)
    assert flow.objective == exact.objective
    assert flow.total == pytest.approx(exact.total, abs=1e-4)


@pytest.mark.parametrize("seed", range(10))
def test_with_groups_close_to_the_exact_milp(seed: int) -> None:
    problem = _random(seed)
    flow, exact = assign(problem).plan, exact_assignment(problem)
    _check_feasible(problem, exact)
    assert flow.objective <= exact.objective
    assert flow.objective >= 0.9 * exact.objective  # a heuristic with groups (see the module)
    lexicographic = exact_assignment(problem, groups_first=True)
    _check_feasible(problem, lexicographic)
    assert lexicographic.objective <= exact.objective


def test_a_group_needs_room_for_all_in_one_home() -> None:
    problem = Problem.from_lists(
        request_ids=[1, 2],
        children=[3, 1],
        order_keys=[0, 1],
        candidates=[(np.array([10, 11]), np.array([5.0, 4.0])), (np.array([10]), np.array([1.0]))],
        supporter_ids=[10, 11],
        capacity=[2, 3],
    )
    plan = assign(problem).plan
    assert plan.as_dict() == {1: 11, 2: 10}


def test_unassigned_rather_than_a_worthless_candidate() -> None:
    problem = Problem.from_lists(
        request_ids=[1, 2],
        children=[1, 1],
        order_keys=[0, 1],
        candidates=[(np.array([10]), np.array([0.0])), (np.array([10, 11]), np.array([2.0, -1.0]))],
        supporter_ids=[10, 11],
        capacity=[1, 1],
    )
    assert assign(problem).plan.as_dict() == {1: None, 2: 10}


def test_greedy_serves_the_oldest_first_and_the_flow_does_better() -> None:
    # the older request takes the home both want most; the flow gives it the other one
    problem = Problem.from_lists(
        request_ids=[1, 2],
        children=[1, 1],
        order_keys=[5, 9],
        candidates=[(np.array([10, 11]), np.array([5.0, 4.0])), (np.array([10]), np.array([3.0]))],
        supporter_ids=[10, 11],
        capacity=[1, 1],
    )
    result = assign(problem)
    assert result.greedy.as_dict() == {1: 10, 2: None}
    assert result.plan.as_dict() == {1: 11, 2: 10}
    assert result.gain_vs_greedy_pct == pytest.approx(40.0)


@pytest.mark.parametrize("seed", range(10))
def test_result_does_not_depend_on_input_order(seed: int) -> None:
    problem = _random(seed)
    rng = np.random.default_rng(seed + 100)
    order = rng.permutation(problem.request_ids.shape[0])
    candidates = []
    for i in order.tolist():
        lo, hi = problem.indptr[i], problem.indptr[i + 1]
        inner = rng.permutation(hi - lo)
        candidates.append((problem.candidate_ids[lo:hi][inner], problem.scores[lo:hi][inner]))
    supporters = rng.permutation(problem.supporter_ids.shape[0])
    shuffled = Problem.from_lists(
        request_ids=problem.request_ids[order],
        children=problem.children[order],
        order_keys=problem.order_keys[order],
        candidates=candidates,
        supporter_ids=problem.supporter_ids[supporters],
        capacity=problem.capacity[supporters],
    )
    a, b = assign(problem), assign(shuffled)
    assert a.plan.as_dict() == b.plan.as_dict()
    assert a.greedy.as_dict() == b.greedy.as_dict()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        Problem.from_lists([1, 1], [1, 1], [0, 0], [(np.array([10]), np.array([1.0]))] * 2, [10], [1])
    with pytest.raises(ValueError):
        assign(Problem.from_lists([1], [1], [0], [(np.array([10, 10]), np.array([1.0, 2.0]))], [10], [1]))


@pytest.mark.parametrize("seed", range(40))
def test_reusing_the_singles_flow_changes_no_objective(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the groups took only places the singles' flow left unused, that flow is reused as
    the singles' optimum: the same objective as solving the singles again over what is left."""
    import bredvid.matching.global_assignment as module

    problem = _random(seed, n=80, m=40, groups=0.3, most=4)
    reused = optimal_assignment(problem)
    _check_feasible(problem, reused)
    monkeypatch.setattr(module, "_still_fits", lambda residual, used: False)
    solved = optimal_assignment(problem)
    assert reused.objective == solved.objective


def test_the_singles_flow_is_reused_when_it_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    import bredvid.matching.global_assignment as module

    answers: list[bool] = []
    still_fits = module._still_fits
    monkeypatch.setattr(module, "_still_fits", lambda r, u: answers.append(still_fits(r, u)) or answers[-1])
    for seed in range(40):
        optimal_assignment(_random(seed, n=80, m=40, groups=0.3, most=4))
    assert True in answers and False in answers  # both branches are exercised above
