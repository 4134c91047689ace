"""Global assignment: every open request at once, the total score maximised under free places.

Pure numpy/scipy/OR-Tools (no Django). The input (`Problem`) is the open requests — id, number
of children (a sibling group is placed as a unit in one home), an order key (e.g. the day the
request was made: smaller is older) and the eligible candidates with their scores (for
instance from `engine.eligible_scores`) — and the free places of every supporter.

The model. Each request gets one of its candidates or none; a home never takes more children
than it has free places; a sibling group goes to one home or none; the total score of the
assigned requests is maximised. Scores are scaled to integers (`SCALE`) and only candidates with
a positive integer score are worth assigning (leaving a request unassigned costs nothing, so
any positive candidate is preferred to none).

The method (`optimal_assignment`): min-cost flows (OR-Tools `SimpleMinCostFlow`), groups first.

1. Prices. A flow of the single children alone over all the places tells which singles each
   home would take; a group's gain at a home is reduced by the gains of the singles it would
   displace there (those of lowest gain beyond the home's unused places).
2. Groups. A flow from each group to its candidate homes with that net gain (> 0), where a
   home's capacity is counted in groups: ⌊free / largest group that could go there⌋, so any
   groups the flow sends fit. Rounds repeat with the places left until no group is added.
3. Single children. One flow over the places left: the exact optimum for the singles given
   the groups. When the groups took only places that the singles' flow of step 1 left unused,
   that flow still fits and nothing over fewer places does better, so it is reused (the same
   objective; one flow fewer).

When is it exact? Without sibling groups always: steps 1–2 do nothing and step 3 is a
transportation problem, whose flow optimum is integral, so it equals the MILP (the tests check
this on random instances, and the benchmark's `global_optimality_gap` is measured on such an
instance). With groups the problem is not a flow (a group cannot be split) and the two stages
are a heuristic; `assign` never returns less than the greedy pass (it returns the greedy plan
if that were better), and the benchmark reports the gap to the exact optimum with groups too.
`exact_assignment` solves the same model as a MILP with HiGHS (`scipy.optimize.milp`); with
`groups_first=True` it solves the lexicographic variant instead (the groups' total first, then
the singles').

The greedy reference (`greedy_assignment`): oldest request first (ties by request id), each
takes its best candidate (ties by supporter id) that still has room for all its children.

The result does not depend on the order of the input: requests, candidates and supporters are
put in a canonical order (by id) before anything is solved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

SCALE = 1_000_000  # scores are compared as integers of millionths


@dataclass(frozen=True)
class Problem:
    """Open requests with their candidates (CSR: request i's are at indptr[i]:indptr[i+1])."""

    request_ids: I64  # (n,) unique
    children: I64  # (n,) ≥ 1; ≥ 2 is a sibling group placed in one home
    order_keys: I64  # (n,) smaller = older: the greedy pass serves it first
    indptr: I64  # (n + 1,)
    candidate_ids: I64  # (nnz,) supporter ids, unique within a request
    scores: F64  # (nnz,)
    supporter_ids: I64  # (m,) unique; a candidate not listed here has no free place
    capacity: I64  # (m,) free places (children)

    def __post_init__(self) -> None:
        n, nnz = self.request_ids.shape[0], self.candidate_ids.shape[0]
        if not (self.children.shape == self.order_keys.shape == (n,) and self.indptr.shape == (n + 1,)):
            raise ValueError("request_ids, children, order_keys and indptr do not match")
        if self.scores.shape != (nnz,) or self.indptr[0] != 0 or self.indptr[-1] != nnz:
            raise ValueError("indptr, candidate_ids and scores do not match")
        if np.any(np.diff(self.indptr) < 0) or np.any(self.children < 1):
            raise ValueError("indptr must not decrease and every request has at least one child")
        if self.supporter_ids.shape != self.capacity.shape:
            raise ValueError("supporter_ids and capacity do not match")
        if np.unique(self.request_ids).shape[0] != n or np.unique(self.supporter_ids).shape[0] != len(
            self.supporter_ids
        ):
            raise ValueError("request and supporter ids must be unique")

    @classmethod
    def from_lists(
        cls,
        request_ids: Sequence[int] | I64,
        children: Sequence[int] | I64,
        order_keys: Sequence[int] | I64,
        candidates: Sequence[tuple[I64, F64]],
        supporter_ids: Sequence[int] | I64,
        capacity: Sequence[int] | I64,
    ) -> Problem:
        """From one (supporter ids, scores) pair of arrays per request."""
        lengths = np.array([len(ids) for ids, _ in candidates], dtype=np.int64)
        indptr = np.zeros(len(candidates) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        return cls(
            request_ids=np.asarray(request_ids, dtype=np.int64),
            children=np.asarray(children, dtype=np.int64),
            order_keys=np.asarray(order_keys, dtype=np.int64),
            indptr=indptr,
            candidate_ids=np.concatenate([np.asarray(i, dtype=np.int64) for i, _ in candidates] or [empty_i]),
            scores=np.concatenate([np.asarray(s, dtype=np.float64) for _, s in candidates] or [empty_f]),
            supporter_ids=np.asarray(supporter_ids, dtype=np.int64),
            capacity=np.asarray(capacity, dtype=np.int64),
        )


@dataclass(frozen=True)
class Plan:
    """One supporter (or none) per request, requests in ascending id order."""

    request_ids: I64
    supporter_ids: I64  # -1 = unassigned (see `supporter_for`)
    scores: F64  # 0.0 where unassigned
    total: float  # sum of the assigned scores
    objective: int  # the same in integer millionths: what the solvers maximise

    def supporter_for(self, request_id: int) -> int | None:
        i = int(np.searchsorted(self.request_ids, request_id))
        if i == self.request_ids.shape[0] or self.request_ids[i] != request_id:
            raise KeyError(request_id)
        supporter = int(self.supporter_ids[i])
        return None if supporter < 0 else supporter

    def as_dict(self) -> dict[int, int | None]:
        return {
            r: (None if s < 0 else s)
            for r, s in zip(self.request_ids.tolist(), self.supporter_ids.tolist(), strict=True)
        }

    @property
    def assigned(self) -> int:
        return int(np.count_nonzero(self.supporter_ids >= 0))


@dataclass(frozen=True)
class Assignment:
    plan: Plan  # the min-cost-flow assignment
    greedy: Plan
    gain_vs_greedy_pct: float  # (plan.total − greedy.total) / greedy.total · 100


@dataclass(frozen=True)
class _Canonical:
    """The problem by id: requests sorted, pairs (request, supporter) worth assigning sorted."""

    request_ids: I64
    children: I64
    order_keys: I64
    supporter_ids: I64
    capacity: I64  # per supporter position
    pair_request: I64  # request position of each pair
    pair_supporter: I64  # supporter position of each pair
    gain: I64  # integer score, > 0
    score: F64


def _canonical(problem: Problem) -> _Canonical:
    by_request = np.argsort(problem.request_ids, kind="stable")
    rank = np.empty_like(by_request)
    rank[by_request] = np.arange(by_request.shape[0])
    by_supporter = np.argsort(problem.supporter_ids, kind="stable")
    supporter_ids = problem.supporter_ids[by_supporter]
    capacity = np.maximum(problem.capacity[by_supporter], 0)
    children = problem.children[by_request]

    pair_request = rank[np.repeat(np.arange(by_request.shape[0]), np.diff(problem.indptr))]
    position = np.searchsorted(supporter_ids, problem.candidate_ids)
    position = np.minimum(position, max(supporter_ids.shape[0] - 1, 0))
    known = (
        supporter_ids[position] == problem.candidate_ids
        if supporter_ids.shape[0]
        else np.zeros(problem.candidate_ids.shape[0], dtype=bool)
    )
    gain = np.rint(problem.scores * SCALE)
    keep = known & (gain > 0)
    keep[keep] = capacity[position[keep]] >= children[pair_request[keep]]
    pair_request, position, gain, score = (
        pair_request[keep],
        position[keep],
        gain[keep].astype(np.int64),
        problem.scores[keep],
    )
    order = np.argsort(pair_request * max(supporter_ids.shape[0], 1) + position, kind="stable")
    pair_request, position, gain, score = pair_request[order], position[order], gain[order], score[order]
    duplicate = (pair_request[1:] == pair_request[:-1]) & (position[1:] == position[:-1])
    if duplicate.any():
        raise ValueError("a supporter is listed twice for one request")
    return _Canonical(
        request_ids=problem.request_ids[by_request],
        children=children,
        order_keys=problem.order_keys[by_request],
        supporter_ids=supporter_ids,
        capacity=capacity,
        pair_request=pair_request,
        pair_supporter=position,
        gain=gain,
        score=score,
    )


def _plan(c: _Canonical, chosen: I64) -> Plan:
    """`chosen`: per request, the index of its pair, or -1."""
    assigned = chosen >= 0
    supporters = np.full(chosen.shape[0], -1, dtype=np.int64)
    scores = np.zeros(chosen.shape[0], dtype=np.float64)
    supporters[assigned] = c.supporter_ids[c.pair_supporter[chosen[assigned]]]
    scores[assigned] = c.score[chosen[assigned]]
    return Plan(
        request_ids=c.request_ids,
        supporter_ids=supporters,
        scores=scores,
        total=float(math.fsum(scores[assigned].tolist())),
        objective=int(c.gain[chosen[assigned]].sum()),
    )


def _flow(c: _Canonical, pairs: I64, units: I64, gain: I64 | None = None) -> I64:
    """Max-gain assignment of the requests of `pairs`, each at most once, supporter s at most
    units[s] times. Returns the pairs that carry flow."""
    if pairs.shape[0] == 0:
        return pairs
    requests, request_node = np.unique(c.pair_request[pairs], return_inverse=True)
    supporters, supporter_node = np.unique(c.pair_supporter[pairs], return_inverse=True)
    n, m = requests.shape[0], supporters.shape[0]
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    # arcs 0..len(pairs)-1: request → supporter; then supporter → sink; then request → sink (none)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([request_node, n + np.arange(m), np.arange(n)]).astype(np.int32),
        np.concatenate([n + supporter_node, np.full(m + n, sink)]).astype(np.int32),
        np.concatenate([np.ones(pairs.shape[0]), units[supporters], np.ones(n)]).astype(np.int64),
        np.concatenate([-(c.gain if gain is None else gain)[pairs], np.zeros(m + n, dtype=np.int64)]),
    )
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n], supplies[sink] = 1, -n
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    used = flow.flows(np.arange(pairs.shape[0], dtype=np.int32)) > 0
    return pairs[used]


def optimal_assignment(problem: Problem) -> Plan:
    """Groups first (priced min-cost flows), then single children (one flow); see the module."""
    return _optimal(_canonical(problem))


def _displaced(c: _Canonical, pairs: I64) -> tuple[I64, I64, I64]:
    """For each (group, home) pair: what the group's children would cost the single children;
    with the flow of the singles alone over all the places it is read from (its pairs, and the
    places it uses per home).

    A group of s at a home with `slack` places the singles' flow leaves unused displaces the
    s − slack singles of lowest gain placed there (an estimate: a displaced child may find
    another home)."""
    singles = np.flatnonzero(c.children[c.pair_request] == 1)
    placed = _flow(c, singles, c.capacity)
    homes = c.pair_supporter[placed]
    order = np.lexsort((c.gain[placed], homes))
    homes, gains = homes[order], c.gain[placed][order]
    prefix = np.concatenate([[0], np.cumsum(gains)])
    first = np.searchsorted(homes, np.arange(c.supporter_ids.shape[0]))
    used = np.bincount(homes, minlength=c.supporter_ids.shape[0])
    home = c.pair_supporter[pairs]
    need = np.clip(c.children[c.pair_request[pairs]] - (c.capacity[home] - used[home]), 0, None)
    return prefix[first[home] + need] - prefix[first[home]], placed, used


def _still_fits(residual: I64, used: I64) -> bool:
    """Whether a flow using `used` places per home fits in the places `residual` left."""
    return bool(np.all(residual >= used))


def _optimal(c: _Canonical) -> Plan:
    chosen = np.full(c.request_ids.shape[0], -1, dtype=np.int64)
    residual = c.capacity.copy()
    children_of_pair = c.children[c.pair_request]
    group_pairs = np.flatnonzero(children_of_pair >= 2)
    net = c.gain.copy()  # a group's gain less the singles it would displace
    singles_alone: tuple[I64, I64] | None = None  # the singles' flow over all places, its use
    if group_pairs.shape[0]:
        displaced, singles_placed, singles_used = _displaced(c, group_pairs)
        net[group_pairs] -= displaced
        singles_alone = singles_placed, singles_used
    pending = c.children >= 2
    while pending.any():
        pairs = np.flatnonzero(
            pending[c.pair_request] & (residual[c.pair_supporter] >= children_of_pair) & (net > 0)
        )
        if pairs.shape[0] == 0:
            break
        largest = np.zeros(residual.shape[0], dtype=np.int64)
        np.maximum.at(largest, c.pair_supporter[pairs], children_of_pair[pairs])
        units = np.where(largest > 0, residual // np.maximum(largest, 1), 0)
        placed = _flow(c, pairs, units, net)
        if placed.shape[0] == 0:
            break
        chosen[c.pair_request[placed]] = placed
        pending[c.pair_request[placed]] = False
        residual -= np.bincount(
            c.pair_supporter[placed], weights=children_of_pair[placed], minlength=residual.shape[0]
        ).astype(np.int64)
    if singles_alone is not None and _still_fits(residual, singles_alone[1]):
        # the groups took only places the singles' flow over all places left unused: that flow
        # fits in what is left, and nothing over fewer places can do better, so it is the optimum
        placed = singles_alone[0]
    else:
        pairs = np.flatnonzero((children_of_pair == 1) & (residual[c.pair_supporter] >= 1))
        placed = _flow(c, pairs, residual)
    chosen[c.pair_request[placed]] = placed
    return _plan(c, chosen)


def greedy_assignment(problem: Problem) -> Plan:
    """Oldest request first; each takes its best candidate with room for all its children."""
    return _greedy(_canonical(problem))


def _best_first(c: _Canonical) -> I64:
    """Pair indices grouped by request (ascending), each request's best first (ties by supporter)."""
    m = max(c.supporter_ids.shape[0], 1)
    top = int(c.gain.max()) + 1 if c.gain.shape[0] else 1
    if top * m * max(c.request_ids.shape[0], 1) < 2**62:
        return np.argsort((c.pair_request * top + (top - 1 - c.gain)) * m + c.pair_supporter, kind="stable")
    return np.lexsort((c.pair_supporter, -c.gain, c.pair_request))


def _greedy(c: _Canonical) -> Plan:
    chosen = np.full(c.request_ids.shape[0], -1, dtype=np.int64)
    residual = c.capacity.copy()
    # each request's pairs best first (ties by supporter id: the supporter positions are sorted by id)
    best_first = _best_first(c)
    starts = np.searchsorted(c.pair_request[best_first], np.arange(c.request_ids.shape[0] + 1))
    supporter_of = c.pair_supporter[best_first]
    for r in np.lexsort((c.request_ids, c.order_keys)).tolist():
        lo, hi = int(starts[r]), int(starts[r + 1])
        if lo == hi:
            continue
        room = np.flatnonzero(residual[supporter_of[lo:hi]] >= c.children[r])
        if room.shape[0]:
            pick = lo + int(room[0])
            chosen[r] = best_first[pick]
            residual[supporter_of[pick]] -= c.children[r]
    return _plan(c, chosen)


def assign(problem: Problem) -> Assignment:
    """The min-cost-flow plan and the greedy one, with the gain of the first over the second."""
    c = _canonical(problem)
    plan, greedy = _optimal(c), _greedy(c)
    if greedy.objective > plan.objective:  # only possible with sibling groups (see the module)
        plan = greedy
    gain = (plan.total - greedy.total) / greedy.total * 100.0 if greedy.total > 0 else 0.0
    return Assignment(plan=plan, greedy=greedy, gain_vs_greedy_pct=gain)


def exact_assignment(problem: Problem, *, groups_first: bool = False, time_limit_s: float = 600.0) -> Plan:
    """The same model as a MILP (HiGHS via scipy.optimize.milp), for checking; small instances only.

    The total over groups and singles together; groups_first=True: the groups' total first,
    then the singles' (two MILPs).
    """
    c = _canonical(problem)
    n, m, p = c.request_ids.shape[0], c.supporter_ids.shape[0], c.gain.shape[0]
    if p == 0:
        return _plan(c, np.full(n, -1, dtype=np.int64))
    columns = np.arange(p)
    one_each = sparse.csr_array((np.ones(p), (c.pair_request, columns)), shape=(n, p))
    places = sparse.csr_array(
        (c.children[c.pair_request].astype(np.float64), (c.pair_supporter, columns)), shape=(m, p)
    )
    constraints = [
        LinearConstraint(one_each, -np.inf, 1.0),
        LinearConstraint(places, -np.inf, c.capacity.astype(np.float64)),
    ]
    gain = c.gain.astype(np.float64)
    is_group = c.children[c.pair_request] >= 2
    options = {"mip_rel_gap": 0.0, "time_limit": time_limit_s, "presolve": True}

    def solve(objective: F64, extra: list[LinearConstraint]) -> Bool:
        result = milp(
            -objective,
            integrality=np.ones(p),
            bounds=Bounds(0.0, 1.0),
            constraints=constraints + extra,
            options=options,
        )
        if result.x is None or result.status != 0:
            raise RuntimeError(f"MILP not solved to optimality: {result.message}")
        return np.asarray(result.x) > 0.5

    if groups_first and is_group.any():
        x = solve(np.where(is_group, gain, 0.0), [])
        best_groups = int(c.gain[x & is_group].sum())
        keep_groups = LinearConstraint(np.where(is_group, gain, 0.0)[None, :], best_groups - 0.5, np.inf)
        x = solve(gain, [keep_groups])
    else:
        x = solve(gain, [])
    chosen = np.full(n, -1, dtype=np.int64)
    chosen[c.pair_request[x]] = np.flatnonzero(x)
    return _plan(c, chosen)
